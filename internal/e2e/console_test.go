package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The console's user in these tests, a platform user who is no admin.
const (
	consoleUser     = "ada"
	consolePassword = "correct horse battery staple"
)

// TestConsole drives the web console in headless Chromium against a real
// platform: a wrong password is refused; then log in, create an app, set a
// config var, push and watch the build log stream, scale, roll back, look
// at the metrics and the activity, and log out. Each page is saved as a
// screenshot in the test artifacts directory.
func TestConsole(t *testing.T) {
	chromium := requireChromium(t)
	s := newTestStack(t)
	login(t, s)
	s.createUser(consoleUser, consolePassword)
	b := newBrowser(t, chromium)
	base := s.apiURL() + "/console"

	mustRun(t, "wrong password", func(t *testing.T) {
		b.do(t, chromedp.Navigate(base+"/"),
			chromedp.WaitVisible(chromedp.CSS(`#password`)),
			chromedp.SendKeys(chromedp.CSS(`#name`), consoleUser),
			chromedp.SendKeys(chromedp.CSS(`#password`), "not the password"),
			chromedp.Submit(chromedp.CSS(`#password`)),
			chromedp.WaitVisible(chromedp.CSS(`.flash.error`)))
		if msg := b.text(t, `.flash.error`); !strings.Contains(msg, "Wrong user name or password") {
			t.Fatalf("after a wrong password the page says %q", msg)
		}
		b.screenshot(t, "01-login-refused")
	})

	b.do(t, chromedp.SetValue(chromedp.CSS(`#password`), consolePassword),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`#app-name`)))
	b.screenshot(t, "02-apps-empty")

	b.do(t, chromedp.SendKeys(chromedp.CSS(`#app-name`), "shop"),
		chromedp.Submit(chromedp.CSS(`#app-name`)),
		chromedp.WaitVisible(chromedp.CSS(`.apphead`)))
	b.expectFlash(t, "Created app shop")

	b.do(t, chromedp.Navigate(base+"/apps/shop/config"), chromedp.WaitVisible(chromedp.CSS(`#config-key`)),
		chromedp.SendKeys(chromedp.CSS(`#config-key`), "GREETING"),
		chromedp.SendKeys(chromedp.CSS(`#config-value`), "hello from the console"),
		chromedp.Submit(chromedp.CSS(`#config-value`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	b.expectFlash(t, "Set GREETING")
	if html := b.html(t); strings.Contains(html, "hello from the console") {
		t.Fatal("the config page shows a value nobody revealed")
	}

	mustRun(t, "push and follow the build log", func(t *testing.T) { consolePush(t, s, b, base) })

	b.do(t, chromedp.Navigate(base+"/apps/shop"), chromedp.WaitVisible(chromedp.CSS(`#count-web`)))
	b.screenshot(t, "05-overview")

	b.do(t, chromedp.Navigate(base+"/apps/shop/config?reveal=GREETING"),
		chromedp.WaitVisible(chromedp.CSS(`code.revealed`)))
	if html := b.html(t); !strings.Contains(html, "hello from the console") {
		t.Fatal("revealing GREETING does not show its value")
	}
	b.screenshot(t, "06-config-revealed")
	b.do(t, chromedp.SendKeys(chromedp.CSS(`#config-key`), "MODE"),
		chromedp.SendKeys(chromedp.CSS(`#config-value`), "live"),
		chromedp.Submit(chromedp.CSS(`#config-value`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	b.expectFlash(t, "Set MODE: v2 is live")

	b.do(t, chromedp.Navigate(base+"/apps/shop"), chromedp.WaitVisible(chromedp.CSS(`#count-web`)),
		chromedp.SetValue(chromedp.CSS(`#count-web`), "2"),
		chromedp.Submit(chromedp.CSS(`#count-web`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	b.expectFlash(t, "Scaled web=2")
	// Scaling made v3; earlier releases stay warm for a while, so count v3's.
	if out := s.mustPaas("", "ps", "-a", "shop"); strings.Count(out, "(v3)") != 2 {
		t.Errorf("after scaling to 2, paas ps shows:\n%s", out)
	}

	b.do(t, chromedp.Navigate(base+"/apps/shop/releases"),
		chromedp.WaitVisible(chromedp.CSS(`button[aria-label="Roll back to v1"]`)),
		chromedp.Click(chromedp.CSS(`button[aria-label="Roll back to v1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	b.expectFlash(t, "Rolled back to v1: v4 is live")
	b.screenshot(t, "07-releases")
	serves(t, s, "shop", "hello from the shop")

	mustRun(t, "maintenance and a custom domain", func(t *testing.T) { consoleEdge(t, s, b, base) })

	mustRun(t, "metrics", func(t *testing.T) { consoleMetrics(t, s, b, base) })

	b.do(t, chromedp.Navigate(base+"/apps/shop/activity"), chromedp.WaitVisible(chromedp.CSS(`ol.feed`)))
	if html := b.html(t); !strings.Contains(html, "release.rollback") || !strings.Contains(html, "git.push") {
		t.Errorf("the activity feed lacks the rollback or the push:\n%s", html)
	}
	b.screenshot(t, "09-activity")

	b.phoneScreenshots(t, base+"/apps/shop", base+"/apps/shop/builds/1")

	b.do(t, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`button.link`)),
		chromedp.Click(chromedp.CSS(`button.link`)), chromedp.WaitVisible(chromedp.CSS(`#password`)))
	b.expectFlash(t, "You are logged out")
	b.do(t, chromedp.Navigate(base+"/apps/shop"), chromedp.WaitVisible(chromedp.CSS(`#password`)))
	if loc := b.location(); !strings.Contains(loc, "/console/login") {
		t.Errorf("after logging out, the app page is at %s, want the login page", loc)
	}
}

// mustRun runs a step of a story as a subtest, and ends the story when the
// step fails: the next steps build on it.
func mustRun(t *testing.T, name string, f func(t *testing.T)) {
	if !t.Run(name, f) {
		t.FailNow()
	}
}

// consolePush pushes an app whose build takes a few seconds and follows
// its log in the browser while it runs.
func consolePush(t *testing.T, s *stack, b *browser, base string) {
	dir := filepath.Join(t.TempDir(), "shop")
	if err := os.MkdirAll(filepath.Join(dir, "www"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "www", "index.html"), "hello from the shop\n")
	// The build step is new to Docker's cache on every run (another run on
	// the same Docker Engine would have cached it), so that it takes its
	// five seconds and the log has time to stream.
	writeFile(t, filepath.Join(dir, "Dockerfile"), fmt.Sprintf(`FROM paas/busybox:1.35
RUN echo "step one (%d)" && sleep 5 && echo "step two"
COPY www/ /www/
CMD trap 'kill $pid; wait $pid; exit 0' TERM INT; httpd -f -v -p "$PORT" -h /www & pid=$!; wait $pid
`, time.Now().UnixNano()))
	s.mustGit(dir, "init", "-q", "-b", "main")
	s.mustGit(dir, "add", ".")
	s.mustGit(dir, "commit", "-q", "-m", "first")
	s.mustGit(dir, "remote", "add", "paas", s.apiURL()+"/git/shop.git")
	pushed := make(chan error, 1)
	go func() {
		out, err := s.git(dir, "push", "paas", "main")
		if err != nil {
			err = fmt.Errorf("%v\n%s", err, out)
		}
		pushed <- err
	}()
	eventually(t, 30*time.Second, func() string {
		b.do(t, chromedp.Navigate(base+"/apps/shop/builds"), chromedp.WaitVisible(chromedp.CSS(`h2`)))
		if evaluate[int](t, b, `document.querySelectorAll('a[href$="/builds/1"]').length`) == 0 {
			return "build 1 is not listed yet"
		}
		return ""
	})
	b.screenshot(t, "03-builds")
	b.do(t, chromedp.Click(chromedp.CSS(`a[href$="/builds/1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#build-log`)))
	evaluate[bool](t, b, `window.reloaded = false; true`)
	if b.attr(t, `#build-log`, "data-stream") == "" {
		t.Fatal("the build page of a running build does not stream its log")
	}
	b.do(t, chromedp.WaitVisible(chromedp.CSS(`#build-log[data-state="done"]`)))
	log := b.text(t, `#build-log`)
	if !evaluate[bool](t, b, `window.reloaded === false`) {
		t.Error("the build page reloaded; the log should have streamed into it")
	}
	for _, want := range []string{"step one", "step two", "Successfully built"} {
		if !strings.Contains(log, want) {
			t.Errorf("the streamed build log lacks %q:\n%s", want, log)
		}
	}
	b.screenshot(t, "04-build-log")
	if err := <-pushed; err != nil {
		t.Fatalf("git push: %v", err)
	}
}

// consoleEdge adds a custom domain and turns maintenance on and off from
// the overview, and checks that the router follows each change.
func consoleEdge(t *testing.T, s *stack, b *browser, base string) {
	const host = "shop.example.test"
	b.do(t, chromedp.Navigate(base+"/apps/shop"), chromedp.WaitVisible(chromedp.CSS(`#domain-hostname`)),
		chromedp.SendKeys(chromedp.CSS(`#domain-hostname`), host),
		chromedp.Submit(chromedp.CSS(`#domain-hostname`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	b.expectFlash(t, "Added "+host)
	eventually(t, 20*time.Second, func() string {
		if code, body := s.getHost(host); code != 200 || !strings.Contains(body, "hello from the shop") {
			return fmt.Sprintf("GET http://%s/ = %d %q; want the app", host, code, body)
		}
		return ""
	})

	routerSays := func(want int) {
		t.Helper()
		eventually(t, 20*time.Second, func() string {
			if code, _ := s.get("shop", "/"); code != want {
				return fmt.Sprintf("GET shop = %d; want %d", code, want)
			}
			return ""
		})
	}
	// Each click starts from a fresh overview: a flash left on the page
	// would otherwise be taken for the answer.
	toggle := func() {
		b.do(t, chromedp.Navigate(base+"/apps/shop"), chromedp.WaitVisible(chromedp.CSS(`#maintenance-toggle`)),
			chromedp.Click(chromedp.CSS(`#maintenance-toggle`)), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	}
	toggle()
	b.expectFlash(t, "Maintenance mode is on")
	routerSays(http.StatusServiceUnavailable)
	b.screenshot(t, "07b-maintenance-on")
	if label := b.text(t, `#maintenance-toggle`); !strings.Contains(label, "Turn maintenance off") {
		t.Errorf("with maintenance on, the button says %q", label)
	}
	toggle()
	b.expectFlash(t, "Maintenance mode is off")
	routerSays(http.StatusOK)
}

// consoleMetrics sends traffic through the router and waits for the
// charts to draw it.
func consoleMetrics(t *testing.T, s *stack, b *browser, base string) {
	for i := 0; i < 40; i++ {
		s.get("shop", "/")
		s.get("shop", "/missing")
	}
	eventually(t, 20*time.Second, func() string {
		b.do(t, chromedp.Navigate(base+"/apps/shop/metrics"), chromedp.WaitVisible(chromedp.CSS(`#charts`)))
		if n := evaluate[int](t, b, `document.querySelectorAll('svg.chart polyline').length`); n < 5 {
			s.get("shop", "/")
			return fmt.Sprintf("%d lines drawn, want 5", n)
		}
		if peak := b.attr(t, `#chart-requests`, "data-peak"); peak == "0" {
			return "the requests chart shows no traffic yet"
		}
		return ""
	})
	b.screenshot(t, "08-metrics")
}

// createUser makes a platform user with a password through the API.
func (s *stack) createUser(name, password string) {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"name": name, "password": password})
	req, _ := http.NewRequest(http.MethodPost, s.apiURL()+"/v1/users", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.adminToken())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		s.t.Fatalf("create user %s: %s", name, resp.Status)
	}
}

// requireChromium returns Debian's chromium, or skips (fails under
// CI=true) when it is not installed.
func requireChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (apt-get install chromium); CI=true: a missing dependency is a failure")
	}
	t.Skip("chromium is not installed (apt-get install chromium); skipping")
	return ""
}

// browser is a headless Chromium tab and where its screenshots go.
type browser struct {
	ctx       context.Context
	artifacts string
}

func newBrowser(t *testing.T, path string) *browser {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if _, err := chromedp.Run(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{ctx: ctx, artifacts: artifactsDir(t)}
}

// artifactsDir is where screenshots go: $PAAS_TEST_ARTIFACTS/console, or
// test-artifacts/console at the root of the checkout.
func artifactsDir(t *testing.T) string {
	dir := os.Getenv("PAAS_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "test-artifacts")
	}
	dir = filepath.Join(dir, "console")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// run runs actions, each step bounded so that a missing element fails the
// test instead of hanging it.
func (b *browser) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	run(t, b, chromedp.Steps(steps...))
}

func run[T any](t *testing.T, b *browser, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 90*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.screenshot(t, "failed-"+strings.ReplaceAll(t.Name(), "/", "-"))
		t.Fatalf("browser at %s: %v", b.location(), err)
	}
	return v
}

func evaluate[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	return run(t, b, chromedp.Evaluate[T](expr))
}

func (b *browser) location() string {
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	return loc
}

func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	return run(t, b, chromedp.Text(chromedp.CSS(sel)))
}

func (b *browser) attr(t *testing.T, sel, name string) string {
	t.Helper()
	return run(t, b, chromedp.AttributeValue(chromedp.CSS(sel), name)).Value
}

func (b *browser) html(t *testing.T) string {
	t.Helper()
	return run(t, b, chromedp.OuterHTML(chromedp.CSS(`html`)))
}

func (b *browser) expectFlash(t *testing.T, want string) {
	t.Helper()
	b.do(t, chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if got := b.text(t, `.flash`); !strings.Contains(got, want) {
		t.Fatalf("the page says %q, want %q", got, want)
	}
}

func (b *browser) screenshot(t *testing.T, name string) {
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(b.artifacts, name+".png"), png, 0o644); err != nil {
		t.Logf("save screenshot %s: %v", name, err)
	}
}

// phoneScreenshots saves each page at a phone's width.
func (b *browser) phoneScreenshots(t *testing.T, urls ...string) {
	b.do(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	for i, u := range urls {
		b.do(t, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS(`main`)))
		b.screenshot(t, fmt.Sprintf("10-phone-%d", i+1))
	}
	b.do(t, chromedp.EmulateViewport(1280, 900))
}
