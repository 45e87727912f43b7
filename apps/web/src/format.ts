/** Display helpers: numbers and hashes as people read them. */

export const shortHex = (hex: string, head = 10, tail = 6): string =>
  hex.length <= head + tail + 1 ? hex : `${hex.slice(0, head)}…${hex.slice(-tail)}`;

export const percent = (bps: number): string => `${(bps / 100).toLocaleString('en', { maximumFractionDigits: 2 })} %`;

export function bytes(value: string | number): string {
  let n = Number(value);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit += 1;
  }
  return `${n.toLocaleString('en', { maximumFractionDigits: unit === 0 ? 0 : 1 })} ${units[unit]}`;
}

export const dateTime = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '—';

/** A token amount in base units, with thousands separators (decimals are the token's business). */
export const units = (amount: string): string => BigInt(amount).toLocaleString('en');

/** An amount of an 18-decimals token (the votes token) in whole tokens, up to four decimals: 100,000.5 */
export function tokens18(amount: string | bigint): string {
  const value = BigInt(amount);
  const whole = value / 10n ** 18n;
  const fraction = (value % 10n ** 18n).toString().padStart(18, '0').slice(0, 4).replace(/0+$/, '');
  return `${whole.toLocaleString('en')}${fraction ? `.${fraction}` : ''}`;
}
