package push

import "testing"

// SetTargetPage makes a tick read n users at a time until the test ends,
// so that a few users take several pages.
func SetTargetPage(t testing.TB, n int) {
	old := targetPage
	targetPage = n
	t.Cleanup(func() { targetPage = old })
}
