// Package push sends Web Push reminders: the server's VAPID key pair, the
// guard on the push endpoints browsers hand us, sending through
// github.com/SherClockHolmes/webpush-go, and the scheduler that decides,
// in each user's time zone, which reminder is due and makes sure only one
// server instance sends it.
//
// The texts it sends never carry health data (a lock screen is public):
// no exertion, mood or diagnosis, only that a session is planned. It reads
// a patient's plan and sessions only through training.ReadDiary, and what
// counts as a session only through training's Completion.
package push
