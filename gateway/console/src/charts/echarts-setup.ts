/**
 * The parts of ECharts the console draws with, registered once (the full build would triple the
 * charts chunk). Only charts/echarts.ts imports this, lazily: ECharts is ~540 kB of script, which
 * no page should wait for before it asks the gateway for its figures.
 */
import { BarChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([CanvasRenderer, BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent]);

export { default } from 'vue-echarts';
