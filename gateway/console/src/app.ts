/**
 * The console proper (main.ts loads it): Element Plus's base styles (its colour and size
 * variables), then ours over them, the router and the language; nothing else starts here. Each
 * component's own styles come with the page that uses it (build/element-plus-imports.ts).
 */
import 'element-plus/theme-chalk/base.css';
import './styles/theme.css';
import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from './i18n';
import { router } from './router';

createApp(App).use(i18n).use(router).mount('#app');
