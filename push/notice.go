package push

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// KindNotice is a peer group's notice, as settings and the API spell it.
const KindNotice = "notice"

// GroupNotice is a peer group's latest notice as one of its members gets
// it.
type GroupNotice struct {
	GroupID, GroupName string
	Text               string
	PostedAt           time.Time
}

// Notice sends a peer group's notice to its members (never to its
// leader). The text is the leader's, not health data, so the notification
// shows it as it is, under the group's name; a tap opens the group page.
type Notice struct {
	// Window is how long after posting a notice is still worth sending;
	// 0: 12 hours. Quiet hours delay it within the window.
	Window time.Duration
}

func (Notice) Name() string { return KindNotice }

// notAboutTraining: a notice is about the group, not the member's own
// training, so a session logged that day does not hold it back.
func (Notice) notAboutTraining() {}

// Due returns the notices posted within the window before now. The key
// names the notice by its posting time: a notice replaced before it went
// out is no longer in p.Notices, and the new one is a new reminder.
func (k Notice) Due(p Patient, now time.Time) []Reminder {
	window := k.Window
	if window == 0 {
		window = 12 * time.Hour
	}
	var out []Reminder
	for _, n := range p.Notices {
		if now.Before(n.PostedAt) || !now.Before(n.PostedAt.Add(window)) {
			continue
		}
		out = append(out, Reminder{
			Key:   fmt.Sprintf("%s/%s/%s/%d", p.User.ID, KindNotice, n.GroupID, n.PostedAt.UnixMilli()),
			Topic: noticeTopic(n.GroupID),
			Message: Message{Title: n.GroupName, Body: n.Text, URL: "/group/" + n.GroupID,
				Tag: KindNotice + "-" + n.GroupID},
		})
	}
	return out
}

// noticeTopic is the push Topic of a group's notices, so that a push
// service holding an older one for a phone that is offline hands over only
// the newest.
func noticeTopic(groupID string) string { return hashedTopic("notice", groupID) }

// hashedTopic is a push Topic for one thing, named by id: a Topic is at
// most 32 characters of base64url, so the id is hashed into it after the
// prefix (at most 6 characters).
func hashedTopic(prefix, id string) string {
	sum := sha256.Sum256([]byte(id))
	return prefix + base64.RawURLEncoding.EncodeToString(sum[:])[:32-len(prefix)]
}

// noticeStore is what loading a member's notices needs of the store.
type noticeStore interface {
	NoticeOf(ctx context.Context, groupID string) (store.GroupNotice, error)
}

// noticesOf lists the notices of the active peer groups the user is a
// member of (groups, from peerGroups).
func noticesOf(ctx context.Context, st noticeStore, groups []store.UserGroup) ([]GroupNotice, error) {
	var out []GroupNotice
	for _, g := range groups {
		n, err := st.NoticeOf(ctx, g.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, GroupNotice{GroupID: g.ID, GroupName: g.Name, Text: n.Text, PostedAt: n.PostedAt})
	}
	return out, nil
}
