package account

import (
	"context"
	"errors"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// A peer group's notice: at most this many characters, shown for this
// long after it was posted (an old notice must not linger).
const (
	maxNoticeLen = 280
	NoticeTTL    = 7 * 24 * time.Hour
)

// Notice is a peer group's latest notice as its members and leader see
// it: the text, when it was posted and by whom (the leader's name, ""
// when the account is gone).
type Notice struct {
	Text     string
	PostedAt time.Time
	By       string
}

// noticeGroup returns peer group id when by leads it and it is active:
// the checks before the leader changes what its members see.
func (gs *Groups) noticeGroup(ctx context.Context, by store.User, id string) (store.Group, error) {
	g, _, err := gs.leaderOf(ctx, by, id, "post its notice")
	if err == nil {
		err = active(g)
	}
	return g, err
}

// PostNotice posts a short notice to peer group id, replacing the one
// before. Only its peer leader may; the text is plain, trimmed, 1–280
// characters with no control characters but line breaks.
func (gs *Groups) PostNotice(ctx context.Context, by store.User, id, text string) (Notice, error) {
	g, err := gs.noticeGroup(ctx, by, id)
	if err != nil {
		return Notice{}, err
	}
	text, err = multilineText(text, maxNoticeLen)
	if err != nil {
		return Notice{}, invalid("text", err.Error())
	}
	if text == "" {
		return Notice{}, invalid("text", "required")
	}
	n := store.GroupNotice{GroupID: g.ID, Text: text, PostedAt: gs.now().UTC(), By: by.ID}
	if err := gs.store.SetNotice(ctx, n); err != nil {
		return Notice{}, err
	}
	return Notice{Text: n.Text, PostedAt: n.PostedAt, By: by.Name}, nil
}

// RemoveNotice takes down peer group id's notice (its peer leader);
// removing none is no error.
func (gs *Groups) RemoveNotice(ctx context.Context, by store.User, id string) error {
	g, err := gs.noticeGroup(ctx, by, id)
	if err != nil {
		return err
	}
	return gs.store.DeleteNotice(ctx, g.ID)
}

// withNotice adds an active peer group's notice to v, unless it is older
// than NoticeTTL.
func (gs *Groups) withNotice(ctx context.Context, v *GroupView) error {
	if v.Kind != store.GroupPeer || !v.ArchivedAt.IsZero() {
		return nil
	}
	n, err := gs.store.NoticeOf(ctx, v.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !gs.now().Before(n.PostedAt.Add(NoticeTTL)) {
		return nil
	}
	name := ""
	if u, err := gs.store.UserByID(ctx, n.By); err == nil {
		name = u.Name
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	v.Notice = &Notice{Text: n.Text, PostedAt: n.PostedAt, By: name}
	return nil
}
