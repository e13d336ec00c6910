// A heart-rate sensor over Web Bluetooth: a chest strap or watch that
// broadcasts the standard Heart Rate Service (GATT 0x180D) and its
// measurement characteristic (0x2A37). Pairing needs the browser's chooser
// (a tap); later sessions reconnect without it where the browser offers
// getDevices(). A lost connection is retried quietly until closed. No DOM:
// the timer draws what it reports.

import { parseHeartRate } from './hrm.js';

const SERVICE = 'heart_rate'; // 0x180D
const MEASUREMENT = 'heart_rate_measurement'; // 0x2A37
// REMEMBER_KEY keeps the paired device's id on this device.
const REMEMBER_KEY = 'hrSensor';
// How long to wait between attempts to reconnect, growing to the last.
const RETRY_MS = [1000, 2000, 5000, 10000];

/**
 * sensorSupported reports whether the browser has Web Bluetooth (Chrome on
 * Android and desktop; not iOS Safari or Firefox). Without it the app
 * offers no sensor and the manual heart-rate fields stay as they are.
 */
export function sensorSupported() {
  return typeof navigator !== 'undefined' && !!navigator.bluetooth && typeof navigator.bluetooth.requestDevice === 'function';
}

/** rememberedSensor returns {id, name} of the paired sensor, or null. */
export function rememberedSensor() {
  try {
    return JSON.parse(localStorage.getItem(REMEMBER_KEY) || 'null');
  } catch {
    return null;
  }
}

/**
 * forgetSensor forgets the paired sensor: the next session asks for one
 * again, and the browser drops its permission where it can.
 */
export async function forgetSensor() {
  const known = rememberedSensor();
  localStorage.removeItem(REMEMBER_KEY);
  const bt = navigator.bluetooth;
  if (!known || !bt || typeof bt.getDevices !== 'function') return;
  const device = (await bt.getDevices()).find((d) => d.id === known.id);
  if (device && typeof device.forget === 'function') await device.forget();
}

/**
 * connectSensor connects to a heart-rate sensor and reports to onReading
 * each notification parsed ({bpm, contact, energyKJ, rrMs}) and to onState
 * 'connecting', 'connected', 'lost' (retrying) or 'closed'. choose true
 * opens the browser's chooser (call it from a tap); false reconnects to
 * the remembered sensor without it, and resolves to null when that cannot
 * be done. Resolves to {name, close()}; rejects when the chooser is
 * dismissed or the first connection fails.
 */
export async function connectSensor({ choose, onReading, onState }) {
  const bt = navigator.bluetooth;
  let device;
  if (choose) {
    device = await bt.requestDevice({ filters: [{ services: [SERVICE] }] });
  } else {
    const known = rememberedSensor();
    if (!known || typeof bt.getDevices !== 'function') return null;
    device = (await bt.getDevices()).find((d) => d.id === known.id);
    if (!device) return null;
  }
  localStorage.setItem(REMEMBER_KEY, JSON.stringify({ id: device.id, name: device.name || '' }));

  let closed = false;
  let attempt = 0;
  let timer = 0;
  let ch = null;
  const onValue = (ev) => {
    const m = parseHeartRate(ev.target.value);
    if (m) onReading(m);
  };
  const open = async () => {
    const server = await device.gatt.connect();
    const service = await server.getPrimaryService(SERVICE);
    if (ch) ch.removeEventListener('characteristicvaluechanged', onValue);
    ch = await service.getCharacteristic(MEASUREMENT);
    ch.addEventListener('characteristicvaluechanged', onValue);
    await ch.startNotifications();
    if (closed) {
      device.gatt.disconnect();
      return;
    }
    attempt = 0;
    onState('connected');
  };
  const retry = () => {
    if (closed) return;
    onState('lost');
    clearTimeout(timer);
    timer = setTimeout(() => open().catch(retry), RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]);
  };
  device.addEventListener('gattserverdisconnected', retry);
  onState('connecting');
  try {
    await open();
  } catch (e) {
    device.removeEventListener('gattserverdisconnected', retry);
    throw e;
  }
  return {
    name: device.name || '',
    close() {
      closed = true;
      clearTimeout(timer);
      device.removeEventListener('gattserverdisconnected', retry);
      if (ch) ch.removeEventListener('characteristicvaluechanged', onValue);
      if (device.gatt.connected) device.gatt.disconnect();
      onState('closed');
    },
  };
}
