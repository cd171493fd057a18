/**
 * DayPicker.vue loaded after the page has drawn, not with it: until it is there, a box of the
 * picker's size shows the day as text, so nothing moves when the picker arrives. It loads once the
 * page has been quiet for a while (its script would otherwise compete with the live page's first
 * figures and charts), or at once when someone points at the box or tabs to it.
 */
import { defineComponent, h, shallowRef, type Component } from 'vue';

const SETTLE_MS = 2500;

let picker: Promise<Component> | null = null;
function loadPicker(): Promise<Component> {
  picker ??= import('./DayPicker.vue').then(
    (m) => m.default,
    (err: unknown) => {
      picker = null; // tried again on the next hover or mount
      throw err;
    },
  );
  return picker;
}

export const LazyDayPicker = defineComponent({
  name: 'LazyDayPicker',
  inheritAttrs: false,
  props: { modelValue: { type: String, required: true } },
  emits: ['update:modelValue'],
  setup(props, { attrs, emit }) {
    const loaded = shallowRef<Component | null>(null);
    const load = () =>
      void loadPicker().then(
        (c) => (loaded.value = c),
        () => undefined,
      );
    const timer = setTimeout(() => ('requestIdleCallback' in window ? window.requestIdleCallback(load, { timeout: 1000 }) : load()), SETTLE_MS);
    return () => {
      if (loaded.value) {
        clearTimeout(timer);
        return h(loaded.value, { ...attrs, modelValue: props.modelValue, 'onUpdate:modelValue': (v: string) => emit('update:modelValue', v) });
      }
      // A focusable box: pointing at it or tabbing to it brings the picker at once.
      return h(
        'div',
        { class: 'day-placeholder', tabindex: 0, 'aria-busy': 'true', style: attrs.style, 'data-testid': attrs['data-testid'], onPointerenter: load, onFocus: load },
        props.modelValue,
      );
    };
  },
});
