// Package training is the one home of the rules of 4x4 interval training:
// the schemas of the synced session, plan and measurement documents
// (Schema, with a reason for every rejected field), fitness age from
// VO2max, maximal heart rate and target zones,
// session load, ISO weeks in a user's time zone, weekly adherence to a
// plan, the share of hard intervals, and the session protocols as data.
// The PWA applies the same schema rules; both pass the vectors in
// testdata/.
//
// It does no I/O and keeps no state: every function is a plain calculation
// over its arguments, the clock and time zone included.
package training
