package push

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	gosync "sync"
	"time"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/training"
)

// SchedulerStore is what the scheduler needs of the store.
type SchedulerStore interface {
	subscriptionStore
	ReminderTargets(ctx context.Context, after string, limit int) ([]store.ReminderTarget, error)
	Docs(ctx context.Context, scope string) ([]sync.Doc, error)
	ClaimReminders(ctx context.Context, cs []store.ReminderClaim, now time.Time) ([]store.ReminderClaim, error)
	FinishReminders(ctx context.Context, cs []store.ReminderClaim, at time.Time) error
	DeleteClaimsBefore(ctx context.Context, t time.Time) error
	// The peer groups' weekly sessions (GroupSession).
	ScheduleOf(ctx context.Context, groupID string) (store.Schedule, error)
	SessionChanges(ctx context.Context, groupID, from, until string) ([]store.SessionChange, error)
	RSVPs(ctx context.Context, groupID, date string) ([]store.RSVP, error)
	noticeStore
}

// SchedulerConfig is what NewScheduler needs; Store, Sender and Owner are
// required.
type SchedulerConfig struct {
	Store  SchedulerStore
	Sender *Sender
	// Owner names this instance in the claims it takes (unique per
	// running server).
	Owner string
	// Kinds of reminder; nil: Slots and Nudge with their defaults.
	Kinds []Kind
	// Lease is how long a claim keeps other instances off a reminder
	// while it is sent; 0: 10 minutes, longer than a tick's sends with
	// their retries take. A reminder whose sender died, or whose every
	// send failed, is taken over after it, if still useful.
	Lease time.Duration
	// Workers is how many users are handled at once; 0: 16.
	Workers int
	// DefaultZone is the time zone of users with none set; nil: Europe/Oslo.
	DefaultZone *time.Location
	Now         func() time.Time // nil: time.Now
	Log         *slog.Logger     // nil: discard
	Metrics     *Metrics         // nil: not counted
}

// Scheduler decides every tick which reminders are due and sends each
// once, whatever the number of instances on one store: a reminder is
// sent only by the instance whose claim on its key succeeded.
type Scheduler struct {
	cfg SchedulerConfig
}

// claimsKept: claims older than this are deleted (no reminder window is
// longer than a week).
const claimsKept = 8 * 24 * time.Hour

// NewScheduler returns a scheduler; nothing runs until Run or Tick.
func NewScheduler(cfg SchedulerConfig) (*Scheduler, error) {
	if cfg.Store == nil || cfg.Sender == nil || cfg.Owner == "" {
		return nil, errors.New("push: the scheduler needs a store, a sender and an owner")
	}
	if cfg.Kinds == nil {
		cfg.Kinds = DefaultKinds()
	}
	if cfg.Lease == 0 {
		cfg.Lease = 10 * time.Minute
	}
	if cfg.Workers == 0 {
		cfg.Workers = 16
	}
	if cfg.DefaultZone == nil {
		loc, err := time.LoadLocation("Europe/Oslo")
		if err != nil {
			return nil, err
		}
		cfg.DefaultZone = loc
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{cfg: cfg}, nil
}

// DefaultKinds are the reminders of a patient's plan (each planned
// session, and the mid-week nudge), their peer groups' weekly sessions
// and their peer groups' notices.
func DefaultKinds() []Kind { return []Kind{Slots{}, Nudge{}, GroupSession{}, Notice{}} }

// Names lists the kinds' names.
func Names(kinds []Kind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.Name()
	}
	return out
}

// Run ticks every interval until ctx ends.
func (s *Scheduler) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Log.Error("reminders", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// TickReport counts what one tick did.
type TickReport struct {
	Reminders    int // reminders this instance claimed and sent to some device
	Sent, Failed int // messages, one per device
}

// claimBatch is how many reminders are claimed or finished in one store
// call (one write to disk on SQLite).
const claimBatch = 500

// targetPage is how many users one read of the store returns, with their
// accounts, settings and subscriptions.
var targetPage = 500

// due is a reminder found due for a user.
type due struct {
	kind   string
	r      Reminder
	target int // the user's index in their page of targets
}

// sendJob is a reminder this instance won, with the subscriptions read
// with its user.
type sendJob struct {
	claim store.ReminderClaim
	due   due
	subs  []store.Subscription
}

// Tick sends what is due now. It reads the subscribed users a page at a
// time, finds their due reminders (Workers users at a time, reads only)
// and claims them in one batch; the reminders won go to Workers senders
// while the next page is read and claimed, and the sent ones are finished
// in batches as they come, so no step waits for the whole tick's users.
// An error with one user is logged and the others go on; the error
// returned is the store's when it cannot list the users, claim or
// finish.
func (s *Scheduler) Tick(ctx context.Context) (TickReport, error) {
	now := s.cfg.Now()
	work := make(chan sendJob, claimBatch)
	sent := make(chan store.ReminderClaim, claimBatch)

	var (
		mu      gosync.Mutex
		total   TickReport
		senders gosync.WaitGroup
	)
	for range s.cfg.Workers {
		senders.Go(func() {
			for j := range work {
				if ctx.Err() != nil {
					continue
				}
				topic := j.due.kind
				if j.due.r.Topic != "" {
					topic = j.due.r.Topic
				}
				rep, err := deliverTo(ctx, s.cfg.Store, s.cfg.Sender, s.cfg.Metrics, j.claim.UserID, j.subs, j.due.r.Message, topic)
				if err != nil && ctx.Err() == nil {
					s.cfg.Log.Error("reminders", "user", j.claim.UserID, "err", err)
				}
				// Finished unless every device failed for a reason that
				// may pass: then the lease runs out and a later tick tries
				// again while the reminder is still useful.
				done := err == nil && (rep.Sent > 0 || !retryable(rep))
				mu.Lock()
				total.Sent += rep.Sent
				total.Failed += rep.Failed
				if done {
					total.Reminders++
				}
				mu.Unlock()
				if done {
					sent <- j.claim
				}
			}
		})
	}
	finished := make(chan error, 1)
	go func() { finished <- s.finish(ctx, sent) }()

	err := s.claim(ctx, now, work)
	close(work)
	senders.Wait()
	close(sent)
	if ferr := <-finished; err == nil {
		err = ferr
	}
	if err != nil {
		return total, err
	}
	if err := s.cfg.Store.DeleteClaimsBefore(ctx, now.Add(-claimsKept)); err != nil && ctx.Err() == nil {
		s.cfg.Log.Error("reminders: delete old claims", "err", err)
	}
	return total, ctx.Err()
}

// claim reads the subscribed users a page at a time, finds their due
// reminders, claims them and hands the ones won to the senders.
func (s *Scheduler) claim(ctx context.Context, now time.Time, work chan<- sendJob) error {
	for after := ""; ; {
		page, err := s.cfg.Store.ReminderTargets(ctx, after, targetPage)
		if err != nil || len(page) == 0 {
			return err
		}
		after = page[len(page)-1].User.ID
		found := make([][]due, len(page))
		s.each(ctx, len(page), func(i int) {
			ds, err := s.due(ctx, page[i], now)
			if err != nil && ctx.Err() == nil {
				s.cfg.Log.Error("reminders", "user", page[i].User.ID, "err", err)
			}
			for j := range ds {
				ds[j].target = i
			}
			found[i] = ds
		})
		var claims []store.ReminderClaim
		byKey := map[string]due{}
		for i, ds := range found {
			for _, d := range ds {
				claims = append(claims, store.ReminderClaim{Key: d.r.Key, UserID: page[i].User.ID, Owner: s.cfg.Owner, LeaseUntil: now.Add(s.cfg.Lease)})
				byKey[d.r.Key] = d
			}
		}
		for start := 0; start < len(claims); start += claimBatch {
			won, err := s.cfg.Store.ClaimReminders(ctx, claims[start:min(start+claimBatch, len(claims))], now)
			if err != nil {
				return err
			}
			for _, c := range won {
				d := byKey[c.Key]
				select {
				case work <- sendJob{claim: c, due: d, subs: page[d.target].Subscriptions}:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}
		if len(page) < targetPage {
			return ctx.Err()
		}
	}
}

// finish marks the sent reminders finished, claimBatch at a time, until
// sent is closed. After a store error it only drains sent and returns
// the error.
func (s *Scheduler) finish(ctx context.Context, sent <-chan store.ReminderClaim) error {
	var (
		err   error
		batch []store.ReminderClaim
	)
	flush := func() {
		if len(batch) > 0 && err == nil {
			err = s.cfg.Store.FinishReminders(ctx, batch, s.cfg.Now())
		}
		batch = batch[:0]
	}
	for c := range sent {
		if batch = append(batch, c); len(batch) == claimBatch {
			flush()
		}
	}
	flush()
	return err
}

// each runs f(0) … f(n-1), Workers at a time, and stops handing out work
// when ctx ends.
func (s *Scheduler) each(ctx context.Context, n int, f func(i int)) {
	var wg gosync.WaitGroup
	work := make(chan int)
	for range min(s.cfg.Workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				f(i)
			}
		}()
	}
	for i := range n {
		select {
		case work <- i:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
}

// due lists the reminders due now for one user, after the quiet hours,
// the already-trained day and the kinds turned off.
func (s *Scheduler) due(ctx context.Context, t store.ReminderTarget, now time.Time) ([]due, error) {
	rs, loc := s.settingsOf(t)
	if quiet(rs, now, loc) {
		return nil, nil // before reading anything of the user's
	}
	p, err := s.patient(ctx, t, rs, loc, now)
	if err != nil {
		return nil, err
	}
	trained := loggedOn(p.Diary, now, p.Loc)
	var out []due
	for _, k := range s.cfg.Kinds {
		if slices.Contains(p.Settings.Off, k.Name()) || (trained && aboutTraining(k)) {
			continue
		}
		for _, r := range k.Due(p, now) {
			out = append(out, due{kind: k.Name(), r: r})
		}
	}
	return out, nil
}

// aboutTraining reports whether k's reminders are about the day's own
// training, and so moot once the user has trained that day; a kind with a
// notAboutTraining method (a group session, a notice) is due all the same.
func aboutTraining(k Kind) bool {
	_, other := k.(interface{ notAboutTraining() })
	return !other
}

// retryable reports whether some device failed and might take the
// message later.
func retryable(rep Report) bool {
	for _, r := range rep.Results {
		if r.Outcome == Failed {
			return true
		}
	}
	return false
}

// settingsOf is the user's reminder settings (the defaults when they
// never chose) and time zone (the scheduler's default when theirs is
// unknown), from their page of targets.
func (s *Scheduler) settingsOf(t store.ReminderTarget) (store.ReminderSettings, *time.Location) {
	rs := DefaultSettings(t.User.ID)
	if t.Settings != nil {
		rs = *t.Settings
	}
	loc := s.cfg.DefaultZone
	if t.User.TimeZone != "" {
		if l, err := time.LoadLocation(t.User.TimeZone); err == nil {
			loc = l
		}
	}
	return rs, loc
}

// patient reads what the kinds decide from at the tick's time now: the
// user's diary, their peer groups' sessions and notices, with the account,
// settings and groups read in the tick's page of targets.
func (s *Scheduler) patient(ctx context.Context, t store.ReminderTarget, rs store.ReminderSettings, loc *time.Location, now time.Time) (Patient, error) {
	u := t.User
	docs, err := s.cfg.Store.Docs(ctx, u.ID)
	if err != nil {
		return Patient{}, err
	}
	diary, err := training.ReadDiary(docs)
	if err != nil {
		return Patient{}, err
	}
	member, led := peerGroups(u.Role, t.Groups)
	peer, err := peerSessions(ctx, s.cfg.Store, u.ID, member, led, now)
	if err != nil {
		return Patient{}, err
	}
	notices, err := noticesOf(ctx, s.cfg.Store, member)
	if err != nil {
		return Patient{}, err
	}
	return Patient{User: u, Loc: loc, Diary: diary, Settings: rs, PeerSessions: peer, Notices: notices}, nil
}

// peerGroups splits the user's active peer groups into those they are a
// member of and those they lead (while their role may lead them:
// account.MayLead); archived groups and treatment groups have no group
// sessions or notices.
func peerGroups(role store.Role, groups []store.UserGroup) (member, led []store.UserGroup) {
	for _, g := range groups {
		switch {
		case g.Kind != store.GroupPeer || !g.ArchivedAt.IsZero():
		case g.Owner:
			if account.MayLead(role, g.Kind) {
				led = append(led, g)
			}
		default:
			member = append(member, g)
		}
	}
	return member, led
}
