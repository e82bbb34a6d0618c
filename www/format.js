// Display formatting for the exchange's decimal strings. Prices and volumes arrive as exact
// strings; the dashboard only regroups and pads them as text, so what is shown is what was sent.

/** "60003.8" -> "60,003.8": thousands grouping of the integer part, the fraction untouched. */
export function groupDigits(decimal) {
  if (decimal === null || decimal === undefined) return "–";
  const text = String(decimal);
  const negative = text.startsWith("-");
  const [whole, fraction] = (negative ? text.slice(1) : text).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${fraction === undefined ? "" : `.${fraction}`}`;
}

/** Pads the fraction with zeros to `places` so a column of numbers lines up; never rounds. */
export function padFraction(decimal, places) {
  if (decimal === null || decimal === undefined) return "–";
  const text = String(decimal);
  if (!Number.isInteger(places) || places <= 0) return text;
  const [whole, fraction = ""] = text.split(".");
  return fraction.length >= places ? text : `${whole}.${fraction.padEnd(places, "0")}`;
}

/** The number of digits after the point in a decimal string. */
export function fractionDigits(decimal) {
  const dot = String(decimal).indexOf(".");
  return dot < 0 ? 0 : String(decimal).length - dot - 1;
}

/** A float for display-only arithmetic (bar widths, percentages), never fed back to the book. */
export function approx(decimal) {
  return decimal === null || decimal === undefined ? NaN : Number(decimal);
}

/** A compact amount for totals: 1234567.8 -> "1.23M". */
export function compact(value) {
  if (!Number.isFinite(value)) return "–";
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}K`;
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(3);
  return value.toPrecision(3);
}

export function percent(value) {
  if (!Number.isFinite(value)) return "–";
  const text = value.toFixed(2);
  // A change too small to show is no change, not "-0.00%".
  if (Number(text) === 0) return "0.00%";
  return `${value > 0 ? "+" : ""}${text}%`;
}

const pad2 = (n) => String(n).padStart(2, "0");

/** Local wall-clock time, HH:MM:SS. */
export function clockTime(date) {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return "–";
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

/** "0.4 s", "12 s", "3 min": the age of something that happened at `date`. */
export function age(date, now = Date.now()) {
  if (!(date instanceof Date)) return "never";
  const seconds = Math.max(0, (now - date.getTime()) / 1000);
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  return `${Math.round(seconds / 60)} min`;
}

/** "12 ms", "4.2 s", "-3.1 min": a latency or clock offset in ms, short enough for a narrow tile. */
export function latency(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function marketLabel(market, status) {
  if (status?.baseUnit && status?.quoteUnit) return `${status.baseUnit}/${status.quoteUnit}`.toUpperCase();
  return market.toUpperCase();
}

/** The exact sum of non-negative decimal strings ("0.1" + "0.25" = "0.35"), as a decimal string. */
export function sumDecimals(decimals) {
  const places = Math.max(0, ...decimals.map(fractionDigits));
  let total = 0n;
  for (const decimal of decimals) {
    const [whole, fraction = ""] = String(decimal).split(".");
    total += BigInt(whole + fraction.padEnd(places, "0"));
  }
  if (places === 0) return total.toString();
  const digits = total.toString().padStart(places + 1, "0");
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}
