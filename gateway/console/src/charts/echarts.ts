/**
 * The console's chart component. ECharts loads in a chunk of its own (charts/echarts-setup.ts), in
 * parallel with the page's API calls when the page calls `preloadCharts()` as it starts, so the
 * figures never wait for it. Charts get `aria` on, so ECharts writes a text description of each
 * chart into its container for screen readers.
 */
import { defineAsyncComponent, defineComponent, h } from 'vue';

let loading: ReturnType<typeof load> | null = null;
function load() {
  return import('./echarts-setup').then(
    (m) => m.default,
    (err: unknown) => {
      loading = null; // a failed fetch is tried again by the next chart, not remembered
      throw err;
    },
  );
}

/** Start fetching ECharts now (idempotent): call it when a page with charts starts loading its data. */
export function preloadCharts(): void {
  loading ??= load();
}

/** Holds the chart's place (its class, so its height) until ECharts is there: the page does not jump. */
const ChartPlaceholder = defineComponent({
  name: 'ChartPlaceholder',
  // Declared so they are not written onto the box as attributes.
  props: { option: { type: Object, default: undefined }, autoresize: { type: [Boolean, Object], default: undefined } },
  render: () => h('div'),
});

/** vue-echarts' VChart, loaded on first use. */
export const VChart = defineAsyncComponent({
  loader: () => (loading ??= load()),
  loadingComponent: ChartPlaceholder,
  delay: 0,
});
