/** Tests start real device processes with the same launcher as the demo hall. */
export * from '../../scripts/lib/device-process.js';
