package routerlog

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const lines = `{"time":"2026-11-21T10:00:00Z","level":"INFO","msg":"request","app":"hello","release":2,"status":200,"duration_ms":1.25,"request_id":"r1","method":"GET","path":"/","bytes":12}
{"time":"2026-11-21T10:00:01Z","level":"INFO","msg":"request","app":"other","release":1,"status":200,"method":"GET","path":"/x"}
not json
{"time":"2026-11-21T10:00:02Z","level":"INFO","msg":"target unhealthy","app":"hello","release":3,"addr":"127.0.0.1:9","error":"connection refused"}
`

func TestRecentAndFollow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "router.log")
	os.WriteFile(path, []byte(lines), 0o644)
	r := New(path)
	got := r.Recent("hello", 10)
	if len(got) != 2 || got[0].Source != "router" ||
		got[0].Text != `at=info method=GET path="/" status=200 release=v2 request_id=r1 duration=1.2ms bytes=12` ||
		!strings.Contains(got[1].Text, "target unhealthy release=v3 addr=127.0.0.1:9") {
		t.Fatalf("Recent = %+v", got)
	}
	if got := r.Recent("hello", 1); len(got) != 1 || !strings.Contains(got[0].Text, "unhealthy") {
		t.Errorf("Recent(1) = %+v; want the newest line", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := r.Follow(ctx, "hello")
	time.Sleep(2 * pollInterval)
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"time":"2026-11-21T10:00:03Z","level":"INFO","msg":"request","app":"hello","release":2,"status":503,"method":"POST","path":"/y"}` + "\n")
	f.Close()
	select {
	case l := <-ch:
		if !strings.Contains(l.Text, "at=error method=POST") {
			t.Errorf("followed %+v", l)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no line followed")
	}
	if got := New(filepath.Join(t.TempDir(), "missing")).Recent("hello", 5); len(got) != 0 {
		t.Errorf("missing file: %+v", got)
	}
}
