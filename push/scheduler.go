package push

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	gosync "sync"
	"time"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/training"
)

// SchedulerStore is what the scheduler needs of the store.
type SchedulerStore interface {
	subscriptionStore
	SubscribedUsers(ctx context.Context) ([]string, error)
	UserByID(ctx context.Context, id string) (store.User, error)
	Docs(ctx context.Context, scope string) ([]sync.Doc, error)
	ReminderSettings(ctx context.Context, userID string) (store.ReminderSettings, error)
	ClaimReminders(ctx context.Context, cs []store.ReminderClaim, now time.Time) ([]store.ReminderClaim, error)
	FinishReminders(ctx context.Context, cs []store.ReminderClaim, at time.Time) error
	DeleteClaimsBefore(ctx context.Context, t time.Time) error
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
// session, and the mid-week nudge) and their peer groups' notices.
func DefaultKinds() []Kind { return []Kind{Slots{}, Nudge{}, Notice{}} }

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

// due is a reminder found due for a user.
type due struct {
	kind string
	r    Reminder
}

// Tick sends what is due now, in three steps: find every subscribed
// user's due reminders (Workers users at a time, reads only), claim them
// in batches, then send the ones this instance won (Workers at a time) and
// finish them in batches. An error with one user is logged and the others
// go on; the error returned is the store's when it cannot list the users
// or claim.
func (s *Scheduler) Tick(ctx context.Context) (TickReport, error) {
	now := s.cfg.Now()
	users, err := s.cfg.Store.SubscribedUsers(ctx)
	if err != nil {
		return TickReport{}, err
	}
	found := make([][]due, len(users))
	s.each(ctx, len(users), func(i int) {
		ds, err := s.due(ctx, users[i], now)
		if err != nil && ctx.Err() == nil {
			s.cfg.Log.Error("reminders", "user", users[i], "err", err)
		}
		found[i] = ds
	})
	var claims []store.ReminderClaim
	byKey := map[string]due{}
	for i, ds := range found {
		for _, d := range ds {
			claims = append(claims, store.ReminderClaim{Key: d.r.Key, UserID: users[i], Owner: s.cfg.Owner, LeaseUntil: now.Add(s.cfg.Lease)})
			byKey[d.r.Key] = d
		}
	}
	var won []store.ReminderClaim
	for start := 0; start < len(claims); start += claimBatch {
		w, err := s.cfg.Store.ClaimReminders(ctx, claims[start:min(start+claimBatch, len(claims))], now)
		if err != nil {
			return TickReport{}, err
		}
		won = append(won, w...)
	}

	var (
		mu       gosync.Mutex
		total    TickReport
		finished []store.ReminderClaim
	)
	s.each(ctx, len(won), func(i int) {
		c, d := won[i], byKey[won[i].Key]
		topic := d.kind
		if d.r.Topic != "" {
			topic = d.r.Topic
		}
		rep, err := deliver(ctx, s.cfg.Store, s.cfg.Sender, s.cfg.Metrics, c.UserID, d.r.Message, topic)
		if err != nil && ctx.Err() == nil {
			s.cfg.Log.Error("reminders", "user", c.UserID, "err", err)
		}
		mu.Lock()
		defer mu.Unlock()
		total.Sent += rep.Sent
		total.Failed += rep.Failed
		// Finished unless every device failed for a reason that may pass:
		// then the lease runs out and a later tick tries again while the
		// reminder is still useful.
		if err == nil && (rep.Sent > 0 || !retryable(rep)) {
			total.Reminders++
			finished = append(finished, c)
		}
	})
	for start := 0; start < len(finished); start += claimBatch {
		if err := s.cfg.Store.FinishReminders(ctx, finished[start:min(start+claimBatch, len(finished))], s.cfg.Now()); err != nil {
			return total, err
		}
	}
	if err := s.cfg.Store.DeleteClaimsBefore(ctx, now.Add(-claimsKept)); err != nil && ctx.Err() == nil {
		s.cfg.Log.Error("reminders: delete old claims", "err", err)
	}
	return total, ctx.Err()
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

// anyDay is a Kind whose reminders are not about the user's own training
// (a peer group's notice): a session logged that day does not stop them.
type anyDay interface{ AnyDay() bool }

// due lists the reminders due now for one user, after the quiet hours,
// the already-trained day and the kinds turned off.
func (s *Scheduler) due(ctx context.Context, id string, now time.Time) ([]due, error) {
	p, err := s.patient(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil // erased since the list was read
	}
	if err != nil {
		return nil, err
	}
	if quiet(p.Settings, now, p.Loc) {
		return nil, nil
	}
	trained := loggedOn(p.Diary, now, p.Loc)
	var out []due
	for _, k := range s.cfg.Kinds {
		if a, ok := k.(anyDay); slices.Contains(p.Settings.Off, k.Name()) || (trained && !(ok && a.AnyDay())) {
			continue
		}
		for _, r := range k.Due(p, now) {
			out = append(out, due{kind: k.Name(), r: r})
		}
	}
	return out, nil
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

// patient reads what the kinds decide from.
func (s *Scheduler) patient(ctx context.Context, id string) (Patient, error) {
	u, err := s.cfg.Store.UserByID(ctx, id)
	if err != nil {
		return Patient{}, err
	}
	rs, err := s.cfg.Store.ReminderSettings(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		rs, err = DefaultSettings(id), nil
	}
	if err != nil {
		return Patient{}, err
	}
	docs, err := s.cfg.Store.Docs(ctx, id)
	if err != nil {
		return Patient{}, err
	}
	diary, err := training.ReadDiary(docs)
	if err != nil {
		return Patient{}, err
	}
	loc := s.cfg.DefaultZone
	if u.TimeZone != "" {
		if l, err := time.LoadLocation(u.TimeZone); err == nil {
			loc = l
		}
	}
	notices, err := noticesOf(ctx, s.cfg.Store, id)
	if err != nil {
		return Patient{}, err
	}
	return Patient{User: u, Loc: loc, Diary: diary, Settings: rs, Notices: notices}, nil
}
