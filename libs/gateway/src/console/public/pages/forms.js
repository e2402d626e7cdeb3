// Small helpers for forms.

/** ISO time → the value of a datetime-local input, in the browser's zone. */
export function toLocalInput(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A datetime-local value (the browser's zone) → ISO, or '' when empty. */
export function fromLocalInput(value) {
  if (!value) return '';
  const date = new Date(String(value));
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** `a, b ,c` → ['a', 'b', 'c']. */
export function list(text) {
  return String(text ?? '')
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}

/** The fields of an admin API 400, for showing next to the form. */
export const fieldErrors = (error) => (error && error.fields ? error.fields : {});
