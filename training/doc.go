// Package training holds the pure domain rules of 4x4 interval training:
// maximal heart rate and target zones, session load, ISO weeks in a user's
// time zone, weekly adherence to a plan, the share of hard intervals, and
// the session protocols as data.
//
// It does no I/O and keeps no state: every function is a plain calculation
// over its arguments, the clock and time zone included.
package training
