/** The console's entry: Element Plus's styles, then ours, the router and the language; nothing else starts here. */
import 'element-plus/dist/index.css';
import './styles/theme.css';
import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from './i18n';
import { router } from './router';

createApp(App).use(i18n).use(router).mount('#app');
