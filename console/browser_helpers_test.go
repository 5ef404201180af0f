package console_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// Environment variables of the browser tests.
const (
	// requireBrowserEnv set to 1 makes a missing browser fail the tests
	// instead of skipping them; .ci/run sets it.
	requireBrowserEnv = "ELEMENTEVENTS_REQUIRE_BROWSER"
	// chromePathEnv names the browser to run, before the PATH is searched.
	chromePathEnv = "CHROME_PATH"
	// screenshotsEnv set to 1 makes the browser tests write the README's
	// screenshots under docs/.
	screenshotsEnv = "ELEMENTEVENTS_SCREENSHOTS"
)

// browserTimeout bounds one browser test, browser start included.
const browserTimeout = 90 * time.Second

// pollEvery is how often a test looks again for what the browser shows.
const pollEvery = 20 * time.Millisecond

// findChrome returns the browser to drive: CHROME_PATH, else chromium,
// chromium-browser or google-chrome on the PATH. Without one the test
// skips, or fails when ELEMENTEVENTS_REQUIRE_BROWSER=1.
func findChrome(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(chromePathEnv); p != "" {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	msg := "browser tests: no chromium found; CI installs it (" + requireBrowserEnv + "=1 makes this fail instead)"
	if os.Getenv(requireBrowserEnv) == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// tab is one headless browser tab with what the page did recorded: the
// alert, confirm and prompt dialogs it opened (each dismissed) and the
// errors it logged (console errors, uncaught exceptions, CSP violations,
// failed loads).
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string // the server's URL, no trailing slash

	mu      sync.Mutex
	dialogs []string
	errs    []string
	status  int64 // of the last page (document) loaded
}

// newTab starts a headless browser for this test (a window of 1280 by
// 900) and opens one tab on the server at base.
func newTab(t *testing.T, base string) *tab {
	t.Helper()
	chrome := findChrome(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.NoSandbox, // CI runs as root, where the sandbox cannot start
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	timeout, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(timeout, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelTab(); cancelAlloc(); cancelTimeout() })

	tb := &tab{t: t, ctx: ctx, base: strings.TrimSuffix(base, "/")}
	dialogs := make(chan struct{}, 16)
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			tb.dialogs = append(tb.dialogs, string(ev.Type)+": "+ev.Message)
			select {
			case dialogs <- struct{}{}:
			default:
			}
		case *network.EventResponseReceived:
			if ev.Type == network.ResourceTypeDocument && ev.Response != nil {
				tb.status = ev.Response.Status
			}
		case *runtime.EventExceptionThrown:
			tb.errs = append(tb.errs, "exception: "+ev.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				tb.errs = append(tb.errs, "console."+string(ev.Type))
			}
		case *log.EventEntryAdded:
			// The browser asks the host for /favicon.ico, which is not
			// the console's to serve.
			if strings.HasSuffix(ev.Entry.URL, "/favicon.ico") {
				return
			}
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				tb.errs = append(tb.errs, fmt.Sprintf("log %s (%s): %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}))
	// A dialog blocks the page until answered: dismiss each, out of the
	// listener (which must not run commands).
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-dialogs:
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}
		}
	}()
	return tb
}

// do runs the actions, failing the test on an error.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	require.NoError(tb.t, chromedp.Do(tb.ctx, actions...))
}

// eval returns the value of a JavaScript expression in the page.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	require.NoError(tb.t, err, expr)
	return v
}

// open navigates to a console path such as "/console/instances" and
// waits for its main heading.
func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(tb.base+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
}

// text returns the visible text of the first node sel matches.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(tb.t, err, sel)
	return s
}

// signIn fills the sign-in form with the secrets of a tenant, as a user
// would (typing, then Enter), and waits for the instance list.
func (tb *tab) signIn(user, org string) {
	tb.t.Helper()
	tb.fillSignIn(user, org, "nav[aria-label=Sections]")
}

// fillSignIn types the secrets in the sign-in form, presses Enter and
// waits for the page it loads to show sel.
func (tb *tab) fillSignIn(user, org, sel string) {
	tb.t.Helper()
	tb.open("/console/login")
	tb.do(
		chromedp.SendKeys(chromedp.ID("user"), user),
		chromedp.SendKeys(chromedp.ID("organization"), org+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(sel)),
	)
}

// submit clicks a button and waits for the page it loads to show sel.
func (tb *tab) submit(button, sel string) {
	tb.t.Helper()
	tb.do(chromedp.Click(chromedp.CSS(button)), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// Dialogs returns the dialogs the pages opened so far.
func (tb *tab) Dialogs() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.dialogs...)
}

// Status returns the HTTP status of the last page loaded.
func (tb *tab) Status() int {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return int(tb.status)
}

// Errors returns the errors the pages logged so far.
func (tb *tab) Errors() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.errs...)
}

// clearErrors forgets the errors logged so far (after a step that logs
// one on purpose, such as a refused sign-in answered 401).
func (tb *tab) clearErrors() {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.errs = nil
}

// screenshot writes a PNG of the whole page, 1200 pixels wide and as tall
// as its content, to docs/name (from the module root) when
// ELEMENTEVENTS_SCREENSHOTS=1; otherwise it does nothing.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	if os.Getenv(screenshotsEnv) != "1" {
		return
	}
	const width = 1200
	// Nothing focused (no caret, no focus ring), and the page painted
	// again at its full height before the capture.
	painted := chromedp.Evaluate[chromedp.Void](`new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))`,
		chromedp.EvalAwaitPromise)
	tb.do(chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`),
		chromedp.EmulateViewport(width, 200), painted)
	height := eval[int64](tb, `document.documentElement.scrollHeight`)
	tb.do(chromedp.EmulateViewport(width, height), painted)
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	require.NoError(tb.t, err)
	tb.do(chromedp.ResetViewport())
	path := filepath.Join("..", "docs", name)
	require.NoError(tb.t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(tb.t, os.WriteFile(path, png, 0o644))
	tb.t.Logf("wrote %s (%d KiB, %dx%d)", path, len(png)/1024, width, height)
}

// focusedControl is what a keyboard user has focused: its tag, id and
// accessible name ("" when it has none).
type focusedControl struct {
	Tag  string `json:"tag"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

// accessibleNameJS defines name(el): the name a screen reader announces,
// from aria-labelledby, aria-label, a <label for>, an enclosing label,
// or the text of a link or button (the parts of the accessible name
// computation the console's markup uses).
const accessibleNameJS = `function name(el) {
  const by = el.getAttribute('aria-labelledby');
  if (by) return by.split(/\s+/).map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
  const aria = (el.getAttribute('aria-label') || '').trim();
  if (aria) return aria;
  if (el.labels && el.labels.length) return Array.from(el.labels).map(l => l.textContent).join(' ').trim();
  if (['A', 'BUTTON', 'SUMMARY'].includes(el.tagName)) return (el.textContent || '').trim();
  if (el.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(el.type)) return (el.value || '').trim();
  return (el.getAttribute('title') || '').trim();
}`

// tabThrough presses Tab until the focus comes back to where it started
// (at most limit presses) and returns each control focused, in order, a
// control focused several times in a row (the parts of a date) once.
func (tb *tab) tabThrough(limit int) []focusedControl {
	tb.t.Helper()
	tb.do(chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(), window.scrollTo(0, 0)`))
	var seen []focusedControl
	first := ""
	for range limit {
		tb.do(chromedp.KeyEvent(kb.Tab))
		c := eval[focusedControl](tb, `(() => { `+accessibleNameJS+`
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: 'BODY', id: '', name: ''};
  if (!el.dataset.tabbed) el.dataset.tabbed = String(Date.now() + Math.random());
  return {tag: el.tagName, id: el.id || el.dataset.tabbed, name: name(el)};
})()`)
		key := c.Tag + "#" + c.ID
		if key == first || c.Tag == "BODY" {
			break
		}
		if first == "" {
			first = key
		}
		if n := len(seen); n > 0 && seen[n-1] == c {
			continue // a control with parts, as a date's day, month and year
		}
		seen = append(seen, c)
	}
	return seen
}

// unnamedControls returns the focusable controls of the page that have
// no accessible name, as tag#id or tag.class descriptions.
func (tb *tab) unnamedControls() []string {
	tb.t.Helper()
	return eval[[]string](tb, `(() => { `+accessibleNameJS+`
  return Array.from(document.querySelectorAll('input:not([type=hidden]),select,textarea,button,a[href],summary'))
    .filter(el => !name(el)).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '.' + el.className));
})()`)
}

// focusableCount returns how many stops Tab makes on the page: the
// visible, enabled controls that are not tabindex=-1, a group of radio
// buttons counting once (the arrow keys move within it).
func (tb *tab) focusableCount() int {
	tb.t.Helper()
	return eval[int](tb, `(() => {
  const groups = new Set();
  return Array.from(document.querySelectorAll('input:not([type=hidden]),select,textarea,button,a[href],summary'))
    .filter(el => !el.disabled && el.tabIndex >= 0 && el.checkVisibility({visibilityProperty: true}))
    .filter(el => {
      if (el.type !== 'radio') return true;
      const key = (el.form ? el.form.id + '/' : '') + el.name;
      if (groups.has(key)) return false;
      groups.add(key);
      return true;
    }).length;
})()`)
}
