/**
 * Chinese first, English second. The choice is remembered in localStorage; Element Plus's own
 * texts (date pickers, pagination, empty tables) follow through the locale App.vue hands to
 * ElConfigProvider, and <html lang> follows for screen readers and CJK font choice.
 */
import enLocale from 'element-plus/es/locale/lang/en';
import zhCnLocale from 'element-plus/es/locale/lang/zh-cn';
import { computed, watch } from 'vue';
import { createI18n } from 'vue-i18n';
import en from './en';
import zhCN from './zh-CN';

export type Language = 'zh-CN' | 'en';
export type MessageSchema = typeof zhCN;

/** vue-i18n checks every `t('…')` key against the Chinese messages. */
declare module 'vue-i18n' {
  export interface DefineLocaleMessage extends MessageSchema {}
}

export const LANGUAGES: ReadonlyArray<{ code: Language; label: string }> = [
  { code: 'zh-CN', label: '中文' },
  { code: 'en', label: 'English' },
];

const STORAGE_KEY = 'hcp-console-language';

function storedLanguage(): Language {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    // Storage can be off (a locked-down browser): Chinese, the hall's language.
    return 'zh-CN';
  }
}

export const i18n = createI18n<[MessageSchema], Language, false>({
  legacy: false,
  locale: storedLanguage(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
});

/** The current language, for code outside components. */
export const language = computed<Language>(() => i18n.global.locale.value);

export function setLanguage(lang: Language): void {
  i18n.global.locale.value = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    /* not remembered: the choice still holds for this page */
  }
}

/** Element Plus's texts in the same language. */
export const elementLocale = computed(() => (language.value === 'en' ? enLocale : zhCnLocale));

watch(language, (lang) => (document.documentElement.lang = lang), { immediate: true });
