/**
 * The parts of ECharts the console draws with, registered once (the full build would triple the
 * charts chunk). Charts get `aria` on, so ECharts writes a text description of each chart into its
 * container for screen readers.
 */
import { BarChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([CanvasRenderer, BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent]);

export { default as VChart } from 'vue-echarts';
