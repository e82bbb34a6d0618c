// How the tests start Debian's Chromium: never a downloaded browser, and without the
// networking flags Chromium keeps trying to reach Google's services on this closed network.

export const CHROMIUM_PATH = "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
