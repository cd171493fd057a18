/**
 * The real processes behind the console end-to-end test: the gateway program (gateway/main.ts) on
 * fixed loopback ports, so a restart keeps its address and the browsers' cookies, and an evaluator
 * device program with a rating panel plugged in — the real hcp-panel firmware in simavr, as the
 * demo hall's window 01 — enrolled with the code the console showed. Every process started here is
 * remembered, so `stopAll` ends each of them whatever failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualPanel } from '../../../hardware/virtual-panel.js';
import { startDevice, type RunningDevice } from '../../../scripts/lib/device-process.js';
import { freePort } from '../../../scripts/lib/free-port.js';
import { startGateway, writeGatewayConfig, type RunningGateway } from '../../../scripts/lib/gateway-process.js';
import { waitUntil } from '../../../scripts/lib/wait-until.js';

export const HALL_NAME = '廊坊市政务服务中心';
/** The smallest the watch config allows (watch-config.ts: whole minutes, at least 1). */
export const OFFLINE_AFTER_MIN = 1;
export const WATCH_EVERY_MS = 1000;

const ALL_DAY = ['00:00-24:00'];

/**
 * A config whose hall is open every hour of every day, so the offline alert is due whenever the
 * test runs: all-day weekly hours, make-up days too, and a calendar override with no statutory
 * holiday in this year or the next (a holiday closes the hall whatever the weekly hours say).
 */
export async function writeAlwaysOpenConfig(dir: string): Promise<{ configFile: string; dataDir: string }> {
  mkdirSync(dir, { recursive: true });
  const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
  const calendarOverrideFile = join(dir, 'calendar-always-open.json');
  writeFileSync(calendarOverrideFile, JSON.stringify({ years: { [year]: { holidays: [], workdays: [] }, [year + 1]: { holidays: [], workdays: [] } } }));
  const configFile = writeGatewayConfig(dir, {
    http: { port: await freePort() },
    mqtt: { port: await freePort() },
    hall: { hallName: HALL_NAME },
    watch: {
      everyMs: WATCH_EVERY_MS,
      offlineAfterMin: OFFLINE_AFTER_MIN,
      openingHours: { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY },
      makeUpDayHours: ALL_DAY,
      calendarOverrideFile,
    },
  });
  return { configFile, dataDir: join(dir, 'data') };
}

export interface PanelDevice {
  device: RunningDevice;
  panel: VirtualPanel;
  /** The device's view (what its kiosk shows), from its local API. */
  state(): Promise<{ screen: string; staff: { name: string; photo?: string } | null; window: { number: string }; connection: { panel: string } }>;
}

export class RealHall {
  gateway: RunningGateway | null = null;
  private readonly devices: RunningDevice[] = [];
  private readonly panels: VirtualPanel[] = [];

  constructor(readonly dir: string) {}

  async startGateway(configFile: string, dataDir: string): Promise<RunningGateway> {
    this.gateway = await startGateway(configFile, dataDir);
    return this.gateway;
  }

  /** Graceful stop (SIGTERM), as systemd stops it for an upgrade. */
  async stopGateway(): Promise<void> {
    await this.gateway?.stop();
    this.gateway = null;
  }

  /**
   * Power a panel, then start the device program with it plugged in and the enrolment code hall IT
   * read off the console; resolves once the device is enrolled (its gateway session is up) and the
   * panel is linked.
   */
  async startPanelDevice(o: { deviceId: string; windowId: string; windowNumber: string; department: string; code: string }): Promise<PanelDevice> {
    const gw = this.gateway!;
    const dir = join(this.dir, o.deviceId);
    mkdirSync(dir, { recursive: true });
    const panel = new VirtualPanel({ linkPath: join(dir, 'ttyACM-panel') });
    this.panels.push(panel);
    await panel.start();
    const device = await startDevice({
      deviceId: o.deviceId,
      dir,
      config: {
        // Only until the gateway's config for this device arrives: no roster of its own.
        bootstrap: { hallName: HALL_NAME, window: { id: o.windowId, number: o.windowNumber, department: o.department }, roster: [] },
        gateway: { url: gw.http, mqttUrl: gw.mqttUrl, enrolmentCode: o.code },
        hardware: { panel: { path: panel.path, firmware: 'hcp-panel' }, nfc: { mode: 'panel' } },
      },
    });
    this.devices.push(device);
    const state = async () => (await device.api('GET', '/api/state')).body;
    const linked = await waitUntil(async () => (await state()).connection?.panel === 'connected', 30_000, 200);
    if (!linked) throw new Error(`the panel never connected to ${o.deviceId}: ${device.stderr()}`);
    return { device, panel, state };
  }

  /** Every process this hall started, ended hard: the device and gateway by SIGKILL, the panels by power-off. */
  async stopAll(): Promise<void> {
    await Promise.allSettled(this.devices.map((d) => d.kill9()));
    await Promise.allSettled(this.panels.map((p) => p.stop()));
    await this.gateway?.kill9().catch(() => undefined);
  }
}
