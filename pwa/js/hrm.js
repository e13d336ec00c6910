// Heart rate from a sensor, pure: the parser of the Bluetooth Heart Rate
// Measurement characteristic (GATT 0x2A37) and the sums a session keeps of
// the samples (peak, average and time in the target zone per phase). No
// DOM and no Bluetooth here: sensor.js talks to the device, the timer
// draws. The vectors in pwa/test/testdata/heart_rate_measurement.json pin
// the parser.

// Flags of the measurement's first byte (Bluetooth Heart Rate Service 1.0,
// section 3.1).
const HR_16BIT = 0x01; // the value is a uint16, else a uint8
const CONTACT_DETECTED = 0x02; // meaningful only with CONTACT_SUPPORTED
const CONTACT_SUPPORTED = 0x04;
const ENERGY_PRESENT = 0x08; // a uint16 of kilojoules follows the value
const RR_PRESENT = 0x10; // uint16s of 1/1024 s fill the rest

/**
 * parseHeartRate reads one notification of the characteristic 0x2A37 (a
 * DataView, or an array of bytes) into {bpm, contact, energyKJ, rrMs}:
 * contact is true or false when the sensor reports skin contact, null when
 * it cannot tell; energyKJ is null when absent; rrMs lists the RR
 * intervals in milliseconds (1/1024 s each, exact). null for a value too
 * short to hold what its flags announce.
 */
export function parseHeartRate(value) {
  const bytes = value instanceof DataView
    ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    : Uint8Array.from(value);
  if (bytes.length < 2) return null;
  const flags = bytes[0];
  const u16 = (i) => bytes[i] | (bytes[i + 1] << 8);
  let i = 1;
  let bpm;
  if (flags & HR_16BIT) {
    if (bytes.length < 3) return null;
    bpm = u16(1);
    i = 3;
  } else {
    bpm = bytes[1];
    i = 2;
  }
  let energyKJ = null;
  if (flags & ENERGY_PRESENT) {
    if (bytes.length < i + 2) return null;
    energyKJ = u16(i);
    i += 2;
  }
  const rrMs = [];
  if (flags & RR_PRESENT) {
    for (; i + 1 < bytes.length; i += 2) rrMs.push(u16(i) * 1000 / 1024);
  }
  const contact = flags & CONTACT_SUPPORTED ? Boolean(flags & CONTACT_DETECTED) : null;
  return { bpm, contact, energyKJ, rrMs };
}

/**
 * usable reports whether a reading is a heart rate to show and keep: a
 * sensor that says it has no skin contact, or a value no heart beats at,
 * is not.
 */
export function usable(m) {
  return !!m && m.contact !== false && m.bpm >= 25 && m.bpm <= 250;
}

/**
 * addSample adds a reading to a trace at 1 s resolution: trace is an
 * array of [second, bpm, phase index], second counted from the session's
 * start; a second already there takes the newer reading. Returns the
 * trace (changed in place: it grows to a few thousand entries).
 */
export function addSample(trace, second, bpm, phase) {
  const last = trace[trace.length - 1];
  if (last && last[0] === second) {
    last[1] = bpm;
    last[2] = phase;
  } else {
    trace.push([second, bpm, phase]);
  }
  return trace;
}

/**
 * phaseStats sums up the samples of one phase (by index): {peak, avg,
 * inZoneSec} in whole beats and seconds, zone the band {low, high} (or
 * null: no time in zone). null when the phase has no sample.
 */
export function phaseStats(trace, phase, zone) {
  let n = 0;
  let sum = 0;
  let peak = 0;
  let inZone = 0;
  for (const [, bpm, ph] of trace) {
    if (ph !== phase) continue;
    n++;
    sum += bpm;
    if (bpm > peak) peak = bpm;
    if (zone && bpm >= zone.low && bpm <= zone.high) inZone++;
  }
  return n ? { peak, avg: Math.round(sum / n), inZoneSec: inZone } : null;
}

/** zoneClass places bpm against a band: 'below', 'in' or 'above'. */
export function zoneClass(bpm, zone) {
  if (!zone) return '';
  return bpm < zone.low ? 'below' : bpm > zone.high ? 'above' : 'in';
}
