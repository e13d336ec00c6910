package storetest

import (
	"errors"
	"fmt"
	"slices"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
)

func subscription(userID, endpoint string, d time.Duration) store.Subscription {
	return store.Subscription{Endpoint: endpoint, UserID: userID, P256dh: "BPk-" + endpoint, Auth: "au-" + endpoint, CreatedAt: at(d)}
}

func endpoints(subs []store.Subscription) []string {
	var out []string
	for _, s := range subs {
		out = append(out, s.Endpoint)
	}
	return out
}

func testSubscriptions(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	for _, id := range []string{"ann", "bob"} {
		mustCreateUser(t, s, user(id, store.RolePatient))
	}
	for _, sub := range []store.Subscription{
		subscription("ann", "https://push.example/phone", time.Minute),
		subscription("ann", "https://push.example/laptop", 0),
		subscription("bob", "https://push.example/shared", 0),
	} {
		if err := s.SaveSubscription(c, sub); err != nil {
			t.Fatalf("SaveSubscription: %v", err)
		}
	}
	got, err := s.Subscriptions(c, "ann")
	if err != nil {
		t.Fatalf("Subscriptions: %v", err)
	}
	if want := []string{"https://push.example/laptop", "https://push.example/phone"}; !slices.Equal(endpoints(got), want) {
		t.Errorf("Subscriptions(ann) = %v, want %v (oldest first)", endpoints(got), want)
	}
	if got[1] != subscription("ann", "https://push.example/phone", time.Minute) {
		t.Errorf("subscription read back as %+v", got[1])
	}

	// A browser that signs in as ann moves its subscription to her.
	if err := s.SaveSubscription(c, subscription("ann", "https://push.example/shared", 2*time.Minute)); err != nil {
		t.Fatalf("SaveSubscription again: %v", err)
	}
	if got, _ := s.Subscriptions(c, "bob"); len(got) != 0 {
		t.Errorf("bob keeps %v after the endpoint moved", endpoints(got))
	}
	users, err := s.SubscribedUsers(c)
	if err != nil || !slices.Equal(users, []string{"ann"}) {
		t.Errorf("SubscribedUsers = %v, %v; want [ann]", users, err)
	}

	if err := s.DeleteSubscription(c, "bob", "https://push.example/phone"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting another user's subscription: err = %v, want ErrNotFound", err)
	}
	if err := s.DeleteSubscription(c, "ann", "https://push.example/phone"); err != nil {
		t.Fatalf("DeleteSubscription: %v", err)
	}
	got, _ = s.Subscriptions(c, "ann")
	if want := []string{"https://push.example/laptop", "https://push.example/shared"}; !slices.Equal(endpoints(got), want) {
		t.Errorf("after delete: %v, want %v", endpoints(got), want)
	}
}

func testReminderSettings(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	mustCreateUser(t, s, user("ann", store.RolePatient))
	if _, err := s.ReminderSettings(c, "ann"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("settings never saved: err = %v, want ErrNotFound", err)
	}
	for _, want := range []store.ReminderSettings{
		{UserID: "ann", Off: []string{"nudge", "slot"}, LeadMinutes: 30, QuietStart: 21 * 60, QuietEnd: 7 * 60},
		{UserID: "ann", LeadMinutes: 60},
	} {
		if err := s.SaveReminderSettings(c, want); err != nil {
			t.Fatalf("SaveReminderSettings: %v", err)
		}
		got, err := s.ReminderSettings(c, "ann")
		if err != nil {
			t.Fatalf("ReminderSettings: %v", err)
		}
		if len(got.Off) == 0 {
			got.Off = nil
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ReminderSettings = %+v, want %+v", got, want)
		}
	}
}

// claimOne claims one reminder through ClaimReminders.
func claimOne(t *testing.T, s store.Store, c store.ReminderClaim, now time.Time) (store.ReminderClaim, bool) {
	t.Helper()
	won, err := s.ClaimReminders(ctx(t), []store.ReminderClaim{c}, now)
	if err != nil {
		t.Fatalf("ClaimReminders(%s): %v", c.Key, err)
	}
	if len(won) == 0 {
		return store.ReminderClaim{}, false
	}
	return won[0], true
}

func testReminderClaimBatch(t *testing.T, h harness) {
	s := h.fresh(t)
	mustCreateUser(t, s, user("ann", store.RolePatient))
	claim := func(key, owner string) store.ReminderClaim {
		return store.ReminderClaim{Key: key, UserID: "ann", Owner: owner, LeaseUntil: at(time.Minute)}
	}
	claimOne(t, s, claim("k2", "b"), at(0))
	won, err := s.ClaimReminders(ctx(t), []store.ReminderClaim{claim("k1", "a"), claim("k2", "a"), claim("k3", "a")}, at(0))
	if err != nil {
		t.Fatalf("ClaimReminders: %v", err)
	}
	var keys []string
	for _, c := range won {
		keys = append(keys, c.Key)
	}
	if !slices.Equal(keys, []string{"k1", "k3"}) {
		t.Fatalf("won %v, want [k1 k3] (k2 is b's)", keys)
	}
	if err := s.FinishReminders(ctx(t), won, at(time.Second)); err != nil {
		t.Fatalf("FinishReminders: %v", err)
	}
	if won, _ := s.ClaimReminders(ctx(t), []store.ReminderClaim{claim("k1", "c"), claim("k3", "c")}, at(time.Hour)); len(won) != 0 {
		t.Errorf("finished reminders claimed again: %v", won)
	}
}

func testReminderClaims(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	mustCreateUser(t, s, user("ann", store.RolePatient))
	now := at(0)
	claim := func(owner string, now time.Time) (store.ReminderClaim, bool) {
		t.Helper()
		return claimOne(t, s, store.ReminderClaim{Key: "ann/slot/2026-W13/2", UserID: "ann",
			Owner: owner, LeaseUntil: now.Add(time.Minute)}, now)
	}
	a, ok := claim("a", now)
	if !ok || a.Owner != "a" {
		t.Fatalf("first claim: %+v, %v; want it held by a", a, ok)
	}
	if _, ok := claim("b", now.Add(30*time.Second)); ok {
		t.Errorf("b took a lease that has not run out")
	}
	b, ok := claim("b", now.Add(time.Minute))
	if !ok || b.Gen == a.Gen {
		t.Fatalf("b after the lease ran out: %+v, %v; want a new lease", b, ok)
	}
	// a's send went through after all, late: finishing its old lease
	// still ends the reminder for everyone.
	if err := s.FinishReminders(c, []store.ReminderClaim{a}, now.Add(time.Minute)); err != nil {
		t.Fatalf("FinishReminders(a): %v", err)
	}
	if err := s.FinishReminders(c, []store.ReminderClaim{b}, now.Add(time.Minute)); err != nil {
		t.Fatalf("FinishReminders(b): %v", err)
	}
	if _, ok := claim("a", now.Add(time.Hour)); ok {
		t.Errorf("a finished reminder was claimed again")
	}

	// Claims go when they are old enough.
	if err := s.DeleteClaimsBefore(c, now.Add(2*time.Minute)); err != nil {
		t.Fatalf("DeleteClaimsBefore: %v", err)
	}
	if _, ok := claim("c", now.Add(3*time.Minute)); !ok {
		t.Errorf("a deleted claim could not be claimed anew")
	}
}

func testReminderClaimRace(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	mustCreateUser(t, s, user("ann", store.RolePatient))
	const instances, keys = 4, 10
	var won atomic.Int64
	var wg gosync.WaitGroup
	for i := range instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range keys {
				got, err := s.ClaimReminders(c, []store.ReminderClaim{{Key: fmt.Sprintf("ann/slot/2026-W13/%d", k),
					UserID: "ann", Owner: fmt.Sprint("instance-", i), LeaseUntil: at(time.Minute)}}, at(0))
				if err != nil {
					t.Errorf("ClaimReminders: %v", err)
				}
				won.Add(int64(len(got)))
			}
		}()
	}
	wg.Wait()
	if won.Load() != keys {
		t.Errorf("%d claims won for %d keys by %d instances, want one a key", won.Load(), keys, instances)
	}
}

func testDeleteUserPush(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	for _, id := range []string{"ann", "bob"} {
		mustCreateUser(t, s, user(id, store.RolePatient))
		if err := s.SaveSubscription(c, subscription(id, "https://push.example/"+id, 0)); err != nil {
			t.Fatalf("SaveSubscription: %v", err)
		}
		if err := s.SaveReminderSettings(c, store.ReminderSettings{UserID: id, LeadMinutes: 30}); err != nil {
			t.Fatalf("SaveReminderSettings: %v", err)
		}
		claimOne(t, s, store.ReminderClaim{Key: id + "/nudge", UserID: id, Owner: "a", LeaseUntil: at(time.Minute)}, at(0))
	}
	if err := s.DeleteUser(c, "ann"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if subs, _ := s.Subscriptions(c, "ann"); len(subs) != 0 {
		t.Errorf("erased user keeps subscriptions %v", endpoints(subs))
	}
	if _, err := s.ReminderSettings(c, "ann"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("erased user's settings: err = %v, want ErrNotFound", err)
	}
	if _, ok := claimOne(t, s, store.ReminderClaim{Key: "ann/nudge", UserID: "bob", Owner: "b", LeaseUntil: at(2 * time.Minute)}, at(0)); !ok {
		t.Errorf("erased user's claim survived")
	}
	if users, _ := s.SubscribedUsers(c); !slices.Equal(users, []string{"bob"}) {
		t.Errorf("SubscribedUsers after erasure = %v, want [bob]", users)
	}
}
