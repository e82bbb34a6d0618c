// Prices and volumes live as integers counted in units of 10^-decimals, so
// books compare and sum exactly; they become the wire's decimal strings only
// here.

// Fixed decimals, as an exchange prints prices ("60000.10", trailing zeros kept).
export function formatFixed(units, decimals) {
  const negative = units < 0;
  const digits = String(Math.abs(units)).padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const text = decimals > 0 ? `${whole}.${digits.slice(digits.length - decimals)}` : whole;
  return negative ? `-${text}` : text;
}

// Shortest form keeping one decimal ("0.1", "2.0", "0.0"), the way MAX
// prints volumes and amounts.
export function formatTrimmed(units, decimals) {
  const text = formatFixed(units, decimals);
  if (decimals === 0) return text;
  return text.replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, ".0");
}

export function toUnits(value, decimals) {
  return Math.round(value * 10 ** decimals);
}
