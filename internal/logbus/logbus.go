// Package logbus carries the platform's own lines of each app's log (builds,
// releases, drift repairs) to `paas logs`, beside the app's output. It keeps
// the last lines of each app in memory for a new reader and fans new lines
// out to followers; it stores nothing: the database keeps the records.
package logbus

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/gitpaas/paas"
)

// EventBuildStarted is a pipeline event that only the log shows.
const EventBuildStarted = "build.started"

// keep is how many recent lines of each app a new reader gets.
const keep = 200

// Bus holds recent platform lines per app and their followers.
type Bus struct {
	mu        sync.Mutex
	recent    map[string][]paas.LogLine
	followers map[string]map[chan paas.LogLine]struct{}
	now       func() time.Time
}

// New returns an empty Bus.
func New() *Bus {
	return &Bus{recent: map[string][]paas.LogLine{}, followers: map[string]map[chan paas.LogLine]struct{}{}, now: time.Now}
}

// Publish adds a line to app's log.
func (b *Bus) Publish(app, text string) {
	line := paas.LogLine{Time: b.now().UTC(), Source: "paas", Text: text}
	b.mu.Lock()
	defer b.mu.Unlock()
	r := append(b.recent[app], line)
	if len(r) > keep {
		r = r[len(r)-keep:]
	}
	b.recent[app] = r
	for ch := range b.followers[app] {
		select {
		case ch <- line:
		default: // a follower that does not keep up loses lines, not the bus
		}
	}
}

// Recent returns up to n of app's latest lines, oldest first.
func (b *Bus) Recent(app string, n int) []paas.LogLine {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.recent[app]
	return append([]paas.LogLine(nil), r[max(0, len(r)-n):]...)
}

// Follow returns a channel of app's new lines until ctx ends.
func (b *Bus) Follow(ctx context.Context, app string) <-chan paas.LogLine {
	ch := make(chan paas.LogLine, 64)
	b.mu.Lock()
	if b.followers[app] == nil {
		b.followers[app] = map[chan paas.LogLine]struct{}{}
	}
	b.followers[app][ch] = struct{}{}
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		delete(b.followers[app], ch)
		b.mu.Unlock()
	}()
	return ch
}

// Notify turns a pipeline event into a line of the app's log, so the bus
// can stand beside webhooks as a pipeline notifier.
func (b *Bus) Notify(_ context.Context, app, event string, data any) {
	b.Publish(app, describe(event, data))
}

// describe writes an event and its data (never config values: the pipeline
// sends none) as one line.
func describe(event string, data any) string {
	raw, _ := json.Marshal(data)
	var f map[string]any
	json.Unmarshal(raw, &f)
	switch event {
	case EventBuildStarted:
		return fmt.Sprintf("Build %v of %v started by %v", f["id"], short(f["commit"]), f["by"])
	case paas.EventDrift:
		return fmt.Sprintf("Drift repaired: %v", f["message"])
	case paas.EventBuildSucceeded:
		return fmt.Sprintf("Build %v of %v succeeded", f["id"], short(f["commit"]))
	case paas.EventBuildFailed:
		return fmt.Sprintf("Build %v of %v failed: %v", f["id"], short(f["commit"]), f["error"])
	case paas.EventReleaseSucceeded, paas.EventRolledBack:
		return fmt.Sprintf("Release v%v is live (%v by %v)", f["version"], f["description"], f["by"])
	case paas.EventReleaseFailed:
		return fmt.Sprintf("Release v%v failed (%v by %v): %v", f["version"], f["description"], f["by"], f["error"])
	}
	return fmt.Sprintf("%s %s", event, raw)
}

func short(v any) string {
	s, _ := v.(string)
	if len(s) > 7 {
		return s[:7]
	}
	return s
}
