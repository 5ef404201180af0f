package notify

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/a12b7632/elementevents/netguard"
)

// Defaults of [DeliveryPolicy], as its fields document them.
const (
	defaultAttemptTimeout = 15 * time.Second
	// The receiver is overloaded and an early retry only adds to it.
	defaultOverloadedBackoff = 60 * time.Second
	defaultPollingBatchSize  = 10
	defaultWebhookBatchSize  = 20
	defaultUserAgent         = "elementevents/0.1 (+https://github.com/a12b7632/elementevents)"
)

// maxResponseBody is how much of a response body is read and kept with
// the attempt: 64 KiB.
const maxResponseBody = 64 << 10

// DeliveryPolicy decides how notifications are cut from a batch, sent and
// retried. The [Notifier] holds one (Config.Policy), and so does a store
// that schedules deliveries itself (riverstore.Config.Policy), so that
// every attempt follows the same rules whichever schedules it. The zero
// value is usable: every field documents its default, and [NewSender]
// fills them in.
type DeliveryPolicy struct {
	// Client sends the requests. Redirects are never followed, whatever
	// its CheckRedirect says. Default: a client whose transport dials
	// through Guard. A Client you supply is copied and cannot drop the
	// guard: its Transport is guarded by [netguard.Guard.RoundTripper] (an
	// *http.Transport is cloned and dials through Guard; any other
	// RoundTripper sees only URLs that Guard.CheckURL passes, and must
	// dial through Guard.DialContext if it dials). A client with no Jar
	// and no Timeout adds nothing a Sender uses (it times attempts on its
	// clock and never follows redirects), so requests go to its Transport
	// directly.
	Client *http.Client

	// Guard is the SSRF guard of every request, checked at dial time on
	// the resolved address: by default every non-public address is
	// refused, and the delivery is dead-lettered. A callback URL that it
	// refuses without resolving (an IP literal, a numeric host, localhost)
	// is refused when a batch is published ([CheckEndpoint]).
	Guard netguard.Guard

	// Timeout bounds each attempt, response included. Default 15
	// seconds.
	Timeout time.Duration

	// Schedule is the delay before each attempt, the first included; its
	// length is the number of attempts. Default [DefaultSchedule].
	Schedule []time.Duration

	// Jitter varies each delay by up to this fraction either way; it must
	// be below 1. Zero means 0.2; negative disables jitter.
	Jitter float64

	// RetryAfterMin and RetryAfterMax bound the wait that a Retry-After
	// header asks for. Zero RetryAfterMin means the schedule's step: a
	// receiver cannot bring an attempt forward. Zero RetryAfterMax means
	// twice the step (and never below the lower bound): a receiver cannot
	// push an attempt far past the schedule.
	RetryAfterMin, RetryAfterMax time.Duration

	// OverloadedBackoff is the least wait after a 429 or a timeout,
	// whatever the schedule and Retry-After say. Zero means 60
	// seconds; negative means none.
	OverloadedBackoff time.Duration

	// RetryClientErrors retries 4xx answers (other than 408, 410, 425 and
	// 429) on the schedule instead of dead-lettering them at once.
	RetryClientErrors bool

	// UserAgent is sent with every request. Default
	// "elementevents/0.1 (+https://github.com/a12b7632/elementevents)".
	UserAgent string

	// PollingBatchSize and WebhookBatchSize are the most events per
	// notification for each source. Defaults 10 and 20, as
	// events.Notifications.
	PollingBatchSize, WebhookBatchSize int
}

// withDefaults returns p with every default filled in, its Schedule
// copied, and its Client guarded and made never to follow redirects.
func (p DeliveryPolicy) withDefaults() DeliveryPolicy {
	if p.Timeout <= 0 {
		p.Timeout = defaultAttemptTimeout
	}
	if len(p.Schedule) == 0 {
		p.Schedule = DefaultSchedule
	}
	p.Schedule = slices.Clone(p.Schedule)
	if p.Jitter == 0 {
		p.Jitter = defaultJitter
	}
	if p.OverloadedBackoff == 0 {
		p.OverloadedBackoff = defaultOverloadedBackoff
	}
	if p.UserAgent == "" {
		p.UserAgent = defaultUserAgent
	}
	if p.PollingBatchSize <= 0 {
		p.PollingBatchSize = defaultPollingBatchSize
	}
	if p.WebhookBatchSize <= 0 {
		p.WebhookBatchSize = defaultWebhookBatchSize
	}
	var client http.Client
	if p.Client != nil {
		client = *p.Client
	}
	client.Transport = p.Guard.RoundTripper(client.Transport)
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	p.Client = &client
	return p
}

// check reports the first field of p that no default can mend, named
// under path ("Config.Policy").
func (p DeliveryPolicy) check(path string) error {
	if p.Jitter >= 1 {
		return fmt.Errorf("%w: %s.Jitter must be below 1, got %v", ErrConfig, path, p.Jitter)
	}
	for i, d := range p.Schedule {
		if d < 0 {
			return fmt.Errorf("%w: %s.Schedule[%d] is negative: %v", ErrConfig, path, i, d)
		}
	}
	if p.RetryAfterMin < 0 {
		return fmt.Errorf("%w: %s.RetryAfterMin is negative: %v", ErrConfig, path, p.RetryAfterMin)
	}
	if p.RetryAfterMax < 0 {
		return fmt.Errorf("%w: %s.RetryAfterMax is negative: %v", ErrConfig, path, p.RetryAfterMax)
	}
	if p.RetryAfterMax > 0 && p.RetryAfterMax < p.RetryAfterMin {
		return fmt.Errorf("%w: %s.RetryAfterMax %v is below RetryAfterMin %v", ErrConfig, path, p.RetryAfterMax, p.RetryAfterMin)
	}
	return nil
}
