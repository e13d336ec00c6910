package sync_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/training"
)

const ts1 = "0000000000010000-a"

// body builds a push body with the given docs JSON.
func body(docs ...string) string {
	return `{"batchId":"0b7e6c9e-2f7a-4c55-9d1e-3c1f4a8b7d20","docs":[` + strings.Join(docs, ",") + `]}`
}

func sessionJSON(id, fields string) string {
	return `{"id":"` + id + `","type":"session","fields":{` + fields + `}}`
}

func TestDecodePushRequestOK(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want []sync.Doc
	}{
		{"empty batch", body(), []sync.Doc{}},
		{"whitespace around", " \n" + body() + "\t\n", []sync.Doc{}},
		{"values made canonical", body(sessionJSON("s1", `"intervals":{"ts":"`+ts1+`","value":[ {"rpe":15.0, "hrPeak":1.7e2} ]},"note":{"value":"<3","ts":"`+ts1+`"}`)),
			[]sync.Doc{{ID: "s1", Type: "session", Fields: map[string]sync.Field{
				"intervals": {Value: json.RawMessage(`[{"hrPeak":170,"rpe":15}]`), TS: ts1},
				"note":      {Value: json.RawMessage(`"\u003c3"`), TS: ts1},
			}}}},
		{"scalars made canonical", body(
			sessionJSON("s1", `"durationMin":{"value":40.0,"ts":"`+ts1+`"},"sessionRpe":{"value":-0,"ts":"`+ts1+`"},`+
				`"moodBefore":{"value":3,"ts":"`+ts1+`"},"note":{"value":"a\u0041 æ & `+"\u2028"+`","ts":"`+ts1+`"}`),
			sessionJSON("s2", `"durationMin":{"value":1e1,"ts":"`+ts1+`"},"note":{"value":"Tung økt i dag","ts":"`+ts1+`"},`+
				`"deleted":{"value":false,"ts":"`+ts1+`"},"protocol":{"value":null,"ts":"`+ts1+`"}`),
			sessionJSON("s3", `"durationMin":{"value":12.5,"ts":"`+ts1+`"}`)),
			[]sync.Doc{
				{ID: "s1", Type: "session", Fields: map[string]sync.Field{
					"durationMin": {Value: json.RawMessage(`40`), TS: ts1},
					"sessionRpe":  {Value: json.RawMessage(`0`), TS: ts1},
					"moodBefore":  {Value: json.RawMessage(`3`), TS: ts1},
					"note":        {Value: json.RawMessage(`"aA æ \u0026 \u2028"`), TS: ts1},
				}},
				{ID: "s2", Type: "session", Fields: map[string]sync.Field{
					"durationMin": {Value: json.RawMessage(`10`), TS: ts1},
					"note":        {Value: json.RawMessage(`"Tung økt i dag"`), TS: ts1},
					"deleted":     {Value: json.RawMessage(`false`), TS: ts1},
					"protocol":    {Value: json.RawMessage(`null`), TS: ts1},
				}},
				{ID: "s3", Type: "session", Fields: map[string]sync.Field{"durationMin": {Value: json.RawMessage(`12.5`), TS: ts1}}},
			}},
		{"arrays and objects kept as sent when canonical", body(
			sessionJSON("s1", `"intervals":{"value":[{"rpe":15,"hrAvg":150}],"ts":"`+ts1+`"}`),
			sessionJSON("s2", `"intervals":{"value":[{"hrAvg":160,"hrPeak":172,"rpe":16}],"ts":"`+ts1+`"}`),
			sessionJSON("s3", `"intervals":{"value":[{"rpe":17} ],"ts":"`+ts1+`"}`),
			`{"id":"plan","type":"plan","fields":{"days":{"value":[1,3,5],"ts":"`+ts1+`"}}}`),
			[]sync.Doc{
				{ID: "s1", Type: "session", Fields: map[string]sync.Field{
					"intervals": {Value: json.RawMessage(`[{"hrAvg":150,"rpe":15}]`), TS: ts1}}},
				{ID: "s2", Type: "session", Fields: map[string]sync.Field{
					"intervals": {Value: json.RawMessage(`[{"hrAvg":160,"hrPeak":172,"rpe":16}]`), TS: ts1}}},
				{ID: "s3", Type: "session", Fields: map[string]sync.Field{
					"intervals": {Value: json.RawMessage(`[{"rpe":17}]`), TS: ts1}}},
				{ID: "plan", Type: "plan", Fields: map[string]sync.Field{
					"days": {Value: json.RawMessage(`[1,3,5]`), TS: ts1}}},
			}},
		{"key order free", `{"docs":[{"fields":{},"type":"plan","id":"plan"}],"batchId":"b"}`,
			[]sync.Doc{{ID: "plan", Type: "plan", Fields: map[string]sync.Field{}}}},
		{"duplicate ids merged at the first position", body(
			sessionJSON("s1", `"note":{"value":"old","ts":"0000000000010000-a"},"moodBefore":{"value":2,"ts":"0000000000010000-a"}`),
			sessionJSON("s2", `"note":{"value":"other","ts":"0000000000010000-a"}`),
			sessionJSON("s1", `"note":{"value":"new","ts":"0000000000020000-a"}`)),
			[]sync.Doc{
				{ID: "s1", Type: "session", Fields: map[string]sync.Field{
					"note":       {Value: json.RawMessage(`"new"`), TS: "0000000000020000-a"},
					"moodBefore": {Value: json.RawMessage(`2`), TS: "0000000000010000-a"},
				}},
				{ID: "s2", Type: "session", Fields: map[string]sync.Field{"note": {Value: json.RawMessage(`"other"`), TS: "0000000000010000-a"}}},
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := sync.DecodePushRequest([]byte(tc.body), training.Schema{})
			if err != nil {
				t.Fatal(err)
			}
			if len(req.Docs) != len(tc.want) {
				t.Fatalf("got %d docs, want %d", len(req.Docs), len(tc.want))
			}
			for i := range tc.want {
				if !req.Docs[i].Equal(tc.want[i]) {
					t.Errorf("doc %d = %s, want %s", i, docString(req.Docs[i]), docString(tc.want[i]))
				}
			}
		})
	}
}

func TestDecodePushRequestErrors(t *testing.T) {
	note := `"note":{"value":"x","ts":"` + ts1 + `"}`
	many := make([]string, sync.MaxPushDocs+1)
	for i := range many {
		many[i] = sessionJSON(fmt.Sprintf("s%d", i), note)
	}
	type kind int
	const (
		decode kind = iota
		tooMany
		tooLarge
	)
	for _, tc := range []struct {
		name string
		body string
		want kind
	}{
		{"empty", "", decode},
		{"not an object", `[]`, decode},
		{"null", `null`, decode},
		{"truncated", body()[:20], decode},
		{"trailing data", body() + `{}`, decode},
		{"trailing garbage", body() + `x`, decode},
		{"trailing NUL", body() + "\x00", decode},
		{"NUL inside", `{"batchId":"b",` + "\x00" + `"docs":[]}`, decode},
		{"leading zero", body(sessionJSON("s1", `"durationMin":{"value":01,"ts":"`+ts1+`"}`)), decode},
		{"lone minus", body(sessionJSON("s1", `"durationMin":{"value":-,"ts":"`+ts1+`"}`)), decode},
		{"raw control character in a string", body(sessionJSON("s1", `"note":{"value":"a`+"\n"+`b","ts":"`+ts1+`"}`)), decode},
		{"bad escape", body(sessionJSON("s1", `"note":{"value":"\x","ts":"`+ts1+`"}`)), decode},
		{"short unicode escape", body(sessionJSON("s1", `"note":{"value":"\u12","ts":"`+ts1+`"}`)), decode},
		{"unterminated string", `{"batchId":"b`, decode},
		{"unknown top-level key", `{"batchId":"b","docs":[],"extra":1}`, decode},
		{"keys are case-sensitive", `{"BatchId":"b","docs":[]}`, decode},
		{"repeated key", `{"batchId":"b","batchId":"c","docs":[]}`, decode},
		{"missing batchId", `{"docs":[]}`, decode},
		{"missing docs", `{"batchId":"b"}`, decode},
		{"docs null", `{"batchId":"b","docs":null}`, decode},
		{"docs an object", `{"batchId":"b","docs":{}}`, decode},
		{"batchId a number", `{"batchId":7,"docs":[]}`, decode},
		{"batchId empty", `{"batchId":"","docs":[]}`, decode},
		{"batchId with a slash", `{"batchId":"a/b","docs":[]}`, decode},
		{"batchId of 65 characters", `{"batchId":"` + strings.Repeat("a", 65) + `","docs":[]}`, decode},
		{"doc not an object", body(`"s1"`), decode},
		{"doc unknown key", body(`{"id":"s1","type":"session","fields":{},"rev":1}`), decode},
		{"doc missing fields", body(`{"id":"s1","type":"session"}`), decode},
		{"doc missing id", body(`{"type":"session","fields":{}}`), decode},
		{"doc id a number", body(`{"id":1,"type":"session","fields":{}}`), decode},
		{"fields null", body(`{"id":"s1","type":"session","fields":null}`), decode},
		{"field repeated", body(sessionJSON("s1", note+","+note)), decode},
		{"field not an object", body(sessionJSON("s1", `"note":"x"`)), decode},
		{"field missing ts", body(sessionJSON("s1", `"note":{"value":"x"}`)), decode},
		{"field missing value", body(sessionJSON("s1", `"note":{"ts":"`+ts1+`"}`)), decode},
		{"field ts a number", body(sessionJSON("s1", `"note":{"value":"x","ts":1}`)), decode},
		{"field unknown key", body(sessionJSON("s1", `"note":{"value":"x","ts":"`+ts1+`","by":"me"}`)), decode},
		{"value with duplicate keys", body(sessionJSON("s1", `"intervals":{"value":[{"rpe":6,"rpe":7}],"ts":"`+ts1+`"}`)), decode},
		{"value number out of range", body(sessionJSON("s1", `"durationMin":{"value":1e999,"ts":"`+ts1+`"}`)), decode},
		{"value nested too deep", body(sessionJSON("s1", `"note":{"value":`+strings.Repeat("[", 40)+strings.Repeat("]", 40)+`,"ts":"`+ts1+`"}`)), decode},
		{"value malformed", body(sessionJSON("s1", `"note":{"value":[1,],"ts":"`+ts1+`"}`)), decode},
		{"invalid UTF-8", body(sessionJSON("s1", `"note":{"value":"`+"\xff"+`","ts":"`+ts1+`"}`)), decode},
		{"too many docs", body(many...), tooMany},
		{"too large", `{"batchId":"b","docs":[],"x":"` + strings.Repeat("a", sync.MaxPushBytes) + `"}`, tooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := sync.DecodePushRequest([]byte(tc.body), training.Schema{})
			var de *sync.DecodeError
			switch tc.want {
			case decode:
				if !errors.As(err, &de) {
					t.Fatalf("err = %v, want *DecodeError", err)
				}
				if de.Reason == "" || strings.Contains(de.Error(), strings.Repeat("a", 100)) {
					t.Errorf("unhelpful or echoing error: %v", de)
				}
			case tooMany:
				if !errors.Is(err, sync.ErrTooManyDocs) {
					t.Fatalf("err = %v, want ErrTooManyDocs", err)
				}
			case tooLarge:
				if !errors.Is(err, sync.ErrTooLarge) {
					t.Fatalf("err = %v, want ErrTooLarge", err)
				}
			}
			if req.BatchID != "" || req.Docs != nil {
				t.Errorf("request returned with the error: %+v", req)
			}
		})
	}
}

// TestDecodePushRequestPartlyInvalid: every rejected field is listed, and
// the valid documents are still returned.
func TestDecodePushRequestPartlyInvalid(t *testing.T) {
	b := body(
		sessionJSON("ok1", `"moodBefore":{"value":3,"ts":"`+ts1+`"}`),
		sessionJSON("bad", `"moodBefore":{"value":9,"ts":"`+ts1+`"},"color":{"value":"red","ts":"`+ts1+`"}`),
		`{"id":"ok1","type":"plan","fields":{}}`,
		sessionJSON("ok2", `"deleted":{"value":true,"ts":"`+ts1+`"}`),
		sessionJSON("x y", ``),
	)
	req, err := sync.DecodePushRequest([]byte(b), training.Schema{})
	var errs sync.ValidationErrors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v, want ValidationErrors", err)
	}
	got := make([]string, len(errs))
	for i, e := range errs {
		got[i] = e.Doc + "." + e.Field
	}
	want := []string{"bad.color", "bad.moodBefore", "ok1.id", "x y.id"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("rejected %q, want %q", got, want)
	}
	if len(req.Docs) != 2 || req.Docs[0].ID != "ok1" || req.Docs[1].ID != "ok2" || req.BatchID == "" {
		t.Errorf("valid part = %+v", req)
	}
}

// TestDecodePushRequestConflictingTypes: one id pushed as two types in a
// batch keeps the first and rejects the later one.
func TestDecodePushRequestConflictingTypes(t *testing.T) {
	b := body(
		`{"id":"plan","type":"plan","fields":{"time":{"value":"07:00","ts":"`+ts1+`"}}}`,
		`{"id":"plan","type":"session","fields":{}}`,
	)
	req, err := sync.DecodePushRequest([]byte(b), training.Schema{})
	var errs sync.ValidationErrors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Field != "type" || errs[0].Doc != "plan" {
		t.Fatalf("err = %v", err)
	}
	if len(req.Docs) != 1 || req.Docs[0].Type != "plan" {
		t.Errorf("docs = %+v", req.Docs)
	}
}

// TestDecodePushRequestErrorOrder checks that errors come in the order of
// the documents they are about, whatever their kind.
func TestDecodePushRequestErrorOrder(t *testing.T) {
	b := body(
		`{"id":"a","type":"session","fields":{"rpe":{"value":1,"ts":"`+ts1+`"}}}`,
		`{"id":"plan","type":"plan","fields":{}}`,
		`{"id":"plan","type":"session","fields":{}}`,
		`{"id":"b","type":"session","fields":{"moodBefore":{"value":9,"ts":"`+ts1+`"},"rpe":{"value":1,"ts":"`+ts1+`"}}}`,
		`{"id":"c","type":"session","fields":{}}`,
	)
	req, err := sync.DecodePushRequest([]byte(b), training.Schema{})
	var errs sync.ValidationErrors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Doc+"."+e.Field)
	}
	if want := []string{"a.rpe", "plan.type", "b.moodBefore", "b.rpe"}; !slices.Equal(got, want) {
		t.Errorf("errors about %q, want %q", got, want)
	}
	if len(req.Docs) != 2 || req.Docs[0].ID != "plan" || req.Docs[1].ID != "c" {
		t.Errorf("docs = %+v", req.Docs)
	}
}

func TestCheckSkew(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	stamp := func(d time.Duration) string {
		return sync.Timestamp{Wall: now.Add(d).UnixMilli(), Counter: 0xFFFF, Node: "a"}.String()
	}
	doc := func(id string, stamps ...string) sync.Doc {
		d := sync.Doc{ID: id, Type: "session", Fields: map[string]sync.Field{}}
		for i, s := range stamps {
			d.Fields[fmt.Sprintf("f%d", i)] = sync.Field{Value: json.RawMessage(`1`), TS: s}
		}
		return d
	}
	for _, tc := range []struct {
		name    string
		docs    []sync.Doc
		skewDoc string
	}{
		{"no docs", nil, ""},
		{"past and present", []sync.Doc{doc("a", stamp(-time.Hour), stamp(0))}, ""},
		{"exactly the limit", []sync.Doc{doc("a", stamp(sync.MaxSkew))}, ""},
		{"one millisecond over", []sync.Doc{doc("a", stamp(0)), doc("b", stamp(-time.Hour), stamp(sync.MaxSkew+time.Millisecond))}, "b"},
		{"far ahead", []sync.Doc{doc("a", stamp(24*time.Hour))}, "a"},
		{"unparsable stamps are left to Validate", []sync.Doc{doc("a", "zzz")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := sync.CheckSkew(tc.docs, now)
			var se *sync.SkewError
			if tc.skewDoc == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SkewError", err)
			}
			if !se.ServerTime.Equal(now) || se.Doc != tc.skewDoc || se.TS == "" || se.Error() == "" {
				t.Errorf("SkewError = %+v", se)
			}
		})
	}
}

// TestProtocolJSON pins the wire names of the protocol types.
func TestProtocolJSON(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{sync.PushResponse{Applied: 2, ServerTime: 5}, `{"applied":2,"serverTime":5}`},
		{sync.PullResponse{Docs: []sync.Doc{{ID: "s", Type: "session", Fields: map[string]sync.Field{"note": {Value: json.RawMessage(`"x"`), TS: ts1}}}}, Cursor: "7", More: true, ServerTime: 9},
			`{"docs":[{"id":"s","type":"session","fields":{"note":{"value":"x","ts":"` + ts1 + `"}}}],"cursor":"7","more":true,"serverTime":9}`},
		{sync.PushRequest{BatchID: "b", Docs: []sync.Doc{}}, `{"batchId":"b","docs":[]}`},
	} {
		got, err := json.Marshal(tc.v)
		if err != nil || string(got) != tc.want {
			t.Errorf("json.Marshal(%T) = %s, %v; want %s", tc.v, got, err, tc.want)
		}
	}
	// What a Go client marshals, the server decodes.
	in := sync.PushRequest{BatchID: "b", Docs: []sync.Doc{{ID: "s", Type: "session", Fields: map[string]sync.Field{"note": {Value: json.RawMessage(`"a<b"`), TS: ts1}}}}}
	data, _ := json.Marshal(in)
	out, err := sync.DecodePushRequest(data, training.Schema{})
	in.Docs[0].Fields["note"] = sync.Field{Value: json.RawMessage(`"a\u003cb"`), TS: ts1}
	if err != nil || !out.Docs[0].Equal(in.Docs[0]) {
		t.Errorf("round trip: %+v, %v", out, err)
	}
}

func TestValidationErrorText(t *testing.T) {
	e := &sync.ValidationError{Doc: "s1", Field: "note", Reason: "want a string"}
	if got, want := e.Error(), `document "s1": field "note": want a string`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	es := sync.ValidationErrors{*e, {Doc: "s2", Field: "id", Reason: "bad"}}
	if got, want := es.Error(), `document "s1": field "note": want a string (and 1 more)`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
