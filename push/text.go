package push

import "fmt"

// texts are the words of one language. They say only that a session is
// planned or that there is still time: a lock screen is public, so never
// exertion, mood, results or anything about treatment.
type texts struct {
	slotTitle, slotBody   string // slotBody takes the planned time, "18:00"
	nudgeTitle, nudgeBody string
	testTitle, testBody   string
	start, later          string
}

// textsFor returns the texts of the user's language, bokmål when unknown.
func textsFor(lang string) texts {
	if lang == "en" {
		return texts{
			slotTitle: "Time for your session", slotBody: "Session planned for %s. You've got this!",
			nudgeTitle: "A gentle reminder", nudgeBody: "There is still time for a session this week.",
			testTitle: "Test reminder", testBody: "This is how your reminders look.",
			start: "Start now", later: "Later",
		}
	}
	return texts{
		slotTitle: "Tid for økta di", slotBody: "Planlagt økt kl. %s. Du klarer det!",
		nudgeTitle: "En liten påminnelse", nudgeBody: "Det er fortsatt tid til en økt denne uka.",
		testTitle: "Testpåminnelse", testBody: "Slik ser påminnelsene dine ut.",
		start: "Start nå", later: "Senere",
	}
}

// timerURL is where a click on a reminder takes the user.
const timerURL = "/timer"

func (t texts) message(tag, title, body string) Message {
	return Message{Title: title, Body: body, URL: timerURL, Tag: tag,
		Actions: []Action{{Action: "start", Title: t.start}, {Action: "later", Title: t.later}}}
}

func (t texts) slot(at string) Message {
	return t.message("slot", t.slotTitle, fmt.Sprintf(t.slotBody, at))
}

func (t texts) nudge() Message { return t.message("nudge", t.nudgeTitle, t.nudgeBody) }

func (t texts) test() Message { return t.message("test", t.testTitle, t.testBody) }
