package account_test

import (
	"testing"

	"github.com/hit4x4/dagbok/internal/bench/scenario"
)

// BenchmarkGroupProgress measures a group page of 200 members with a year
// of sessions each (three a week, 156 documents per member, 31,200 in
// all) against the raw read of the same documents in the same run, in
// turn (see scenario.GroupProgress; target page/raw ≤ 10).
//
//	go test ./account -run '^$' -bench GroupProgress -benchtime 20x
func BenchmarkGroupProgress(b *testing.B) {
	scenario.GroupProgress(scenario.Full.Members, scenario.Full.Weeks)(b)
}
