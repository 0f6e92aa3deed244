/** Number formatting shared by the views. Locale from <html lang> (the host's VS Code language). */

const locale = (): string => document.documentElement.lang || navigator.language || 'en';

export function formatInteger(value: number): string {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: 0 }).format(value);
}

export function formatNumber(value: number, digits = 2): string {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
}

/** USD with enough digits to show sub-cent costs ($0.000123). */
export function formatUsd(value: number): string {
  const abs = Math.abs(value);
  const digits = abs === 0 ? 2 : abs < 0.0001 ? 6 : abs < 0.01 ? 5 : abs < 1 ? 4 : 2;
  return `$${value.toFixed(digits)}`;
}

export function formatMs(value: number): string {
  return value >= 10_000 ? `${formatNumber(value / 1000, 1)} s` : `${formatNumber(value, value < 10 ? 1 : 0)} ms`;
}

export function formatTime(epochMs: number): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(epochMs));
}
