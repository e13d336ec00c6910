package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// testReminderTargets: pages of subscribed users by ID, each with their
// account, settings (nil when never chosen), subscriptions oldest first
// and groups as UserGroups lists them; users without a subscription and
// erased users are not listed.
func testReminderTargets(t *testing.T, h harness) {
	s := h.fresh(t)
	c := ctx(t)
	for _, id := range []string{"ann", "bob", "cid", "dan", "eve"} {
		mustCreateUser(t, s, user(id, store.RolePatient))
	}
	for _, sub := range []store.Subscription{
		subscription("dan", "https://push.example/dan", 0),
		subscription("ann", "https://push.example/ann-phone", time.Minute),
		subscription("ann", "https://push.example/ann-laptop", 0),
		subscription("cid", "https://push.example/cid", 0),
		subscription("eve", "https://push.example/eve", 0),
	} {
		if err := s.SaveSubscription(c, sub); err != nil {
			t.Fatalf("SaveSubscription: %v", err)
		}
	}
	cidSettings := store.ReminderSettings{UserID: "cid", Off: []string{"nudge"}, LeadMinutes: 30, QuietStart: 21 * 60, QuietEnd: 7 * 60}
	if err := s.SaveReminderSettings(c, cidSettings); err != nil {
		t.Fatalf("SaveReminderSettings: %v", err)
	}
	if err := s.DeleteUser(c, "eve"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	// ann is in a trainer's group and in the peer group dan leads, which
	// bob (no subscription) is also in.
	mustCreateUser(t, s, user("tom", store.RoleTrainer))
	for _, g := range []store.Group{
		{ID: "g-treat", Name: "Tirsdag", Kind: store.GroupTreatment, OwnerID: "tom", CreatedAt: at(0)},
		{ID: "g-peer", Name: "Turgruppa", Kind: store.GroupPeer, OwnerID: "dan", CreatedAt: at(time.Minute)},
	} {
		if err := s.CreateGroup(c, g); err != nil {
			t.Fatalf("CreateGroup: %v", err)
		}
	}
	for _, m := range []store.Membership{
		{GroupID: "g-treat", UserID: "ann", JoinedAt: at(2 * time.Minute)},
		{GroupID: "g-peer", UserID: "ann", JoinedAt: at(3 * time.Minute), Sharing: store.Sharing{Trained: true}},
		{GroupID: "g-peer", UserID: "bob", JoinedAt: at(4 * time.Minute)},
		{GroupID: "g-peer", UserID: "dan", JoinedAt: at(5 * time.Minute)}, // the leader's own: listed once, as led
	} {
		if err := s.AddMember(c, m); err != nil {
			t.Fatalf("AddMember: %v", err)
		}
	}

	page := func(after string, limit int) []store.ReminderTarget {
		t.Helper()
		got, err := s.ReminderTargets(c, after, limit)
		if err != nil {
			t.Fatalf("ReminderTargets(%q, %d): %v", after, limit, err)
		}
		return got
	}
	ids := func(ts []store.ReminderTarget) []string {
		var out []string
		for _, tg := range ts {
			out = append(out, tg.User.ID)
		}
		return out
	}

	first := page("", 2)
	if want := []string{"ann", "cid"}; !slices.Equal(ids(first), want) {
		t.Fatalf("first page %v, want %v", ids(first), want)
	}
	ann, cid := first[0], first[1]
	if !equalUser(ann.User, user("ann", store.RolePatient)) {
		t.Errorf("ann read back as %+v", ann.User)
	}
	if want := []string{"https://push.example/ann-laptop", "https://push.example/ann-phone"}; !slices.Equal(endpoints(ann.Subscriptions), want) {
		t.Errorf("ann's subscriptions %v, want %v (oldest first)", endpoints(ann.Subscriptions), want)
	}
	if got := ann.Subscriptions[1]; got != subscription("ann", "https://push.example/ann-phone", time.Minute) {
		t.Errorf("subscription read back as %+v", got)
	}
	if ann.Settings != nil {
		t.Errorf("ann never chose, got settings %+v", *ann.Settings)
	}
	if cid.Settings == nil || fmt.Sprint(*cid.Settings) != fmt.Sprint(cidSettings) {
		t.Errorf("cid's settings %+v, want %+v", cid.Settings, cidSettings)
	}
	if want := []string{"https://push.example/cid"}; !slices.Equal(endpoints(cid.Subscriptions), want) {
		t.Errorf("cid's subscriptions %v, want %v", endpoints(cid.Subscriptions), want)
	}

	if got := ids(page("cid", 2)); !slices.Equal(got, []string{"dan"}) {
		t.Errorf("page after cid %v, want [dan] (eve was erased)", got)
	}
	if got := page("dan", 2); len(got) != 0 {
		t.Errorf("page after the last user %v, want none", ids(got))
	}
	all := page("", 10)
	if got := ids(all); !slices.Equal(got, []string{"ann", "cid", "dan"}) {
		t.Errorf("one page of all %v, want [ann cid dan]", got)
	}
	for _, tg := range all {
		want, err := s.UserGroups(c, tg.User.ID)
		if err != nil {
			t.Fatalf("UserGroups(%s): %v", tg.User.ID, err)
		}
		if fmt.Sprint(tg.Groups) != fmt.Sprint(want) {
			t.Errorf("%s's groups %+v, want %+v (UserGroups)", tg.User.ID, tg.Groups, want)
		}
	}
	if got := groupIDs(all[0].Groups); !slices.Equal(got, []string{"g-treat", "g-peer"}) {
		t.Errorf("ann's groups %v, want [g-treat g-peer] in the order she joined", got)
	}
	if len(all[1].Groups) != 0 {
		t.Errorf("cid is in no group, got %v", groupIDs(all[1].Groups))
	}
	if dan := all[2].Groups; len(dan) != 1 || dan[0].ID != "g-peer" || !dan[0].Owner {
		t.Errorf("dan's groups %+v, want the peer group he leads", dan)
	}
}

func groupIDs(gs []store.UserGroup) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.ID)
	}
	return out
}
