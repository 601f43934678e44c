// Package paas holds the domain of the platform: the nouns every other
// package speaks (apps, builds, releases, users, tokens, instances) and the
// error kinds they share. It imports only the standard library; everything
// else in the module imports it.
package paas

import "time"

// App is a deployable application: a git repository, its builds and the
// releases made from them.
type App struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Owner     string    `json:"owner"`
	CreatedAt time.Time `json:"created_at"`
	// Release is the version of the release currently serving, 0 when the
	// app has never been released.
	Release int `json:"release"`
}

// BuildStatus is where a build is in its life.
type BuildStatus string

// The states of a build. A build is pending until a builder picks it up;
// an app has at most one build that is pending or building.
const (
	BuildPending   BuildStatus = "pending"
	BuildBuilding  BuildStatus = "building"
	BuildSucceeded BuildStatus = "succeeded"
	BuildFailed    BuildStatus = "failed"
)

// Done reports whether the build has finished, well or badly.
func (s BuildStatus) Done() bool { return s == BuildSucceeded || s == BuildFailed }

// Build turns one commit of an app's repository into a container image.
type Build struct {
	ID         int64       `json:"id"`
	App        string      `json:"app"`
	Commit     string      `json:"commit"`
	Ref        string      `json:"ref"`
	Status     BuildStatus `json:"status"`
	Image      string      `json:"image,omitempty"`
	Error      string      `json:"error,omitempty"`
	Release    int         `json:"release,omitempty"`
	CreatedBy  string      `json:"created_by"`
	CreatedAt  time.Time   `json:"created_at"`
	FinishedAt *time.Time  `json:"finished_at,omitempty"`
}

// ReleaseStatus is where a release is in its rollout.
type ReleaseStatus string

// The states of a release. Only a succeeded release ever receives traffic.
const (
	ReleasePending   ReleaseStatus = "pending"
	ReleaseDeploying ReleaseStatus = "deploying"
	ReleaseSucceeded ReleaseStatus = "succeeded"
	ReleaseFailed    ReleaseStatus = "failed"
)

// ReleaseReason says why a release was made.
type ReleaseReason string

// The reasons for a release.
const (
	ReasonDeploy   ReleaseReason = "deploy"
	ReasonConfig   ReleaseReason = "config"
	ReasonRollback ReleaseReason = "rollback"
	ReasonScale    ReleaseReason = "scale"
)

// Release is an immutable pairing of an image with the way it runs: its
// config vars, its process formation and the app.yml it came from. Releases
// of an app are numbered v1, v2, … in the order they were made.
type Release struct {
	ID          int64         `json:"id"`
	App         string        `json:"app"`
	Version     int           `json:"version"`
	Image       string        `json:"image"`
	BuildID     int64         `json:"build_id,omitempty"`
	Reason      ReleaseReason `json:"reason"`
	Description string        `json:"description"`
	Status      ReleaseStatus `json:"status"`
	Error       string        `json:"error,omitempty"`
	Current     bool          `json:"current"`
	CreatedBy   string        `json:"created_by"`
	CreatedAt   time.Time     `json:"created_at"`
	// Spec is how the release runs: processes, health check, release
	// command, default environment. It holds no secrets.
	Spec ReleaseSpec `json:"spec"`
	// Config holds the app's config vars at the time of the release. They
	// may be secrets: Config is never encoded to JSON, and is encrypted at
	// rest. ConfigKeys lists their names for display.
	Config     map[string]string `json:"-"`
	ConfigKeys []string          `json:"config_keys"`
	// AppYML is the app.yml (or Procfile) the release was made from, if any.
	AppYML string `json:"app_yml,omitempty"`
}

// ReleaseSpec is the non-secret part of how a release runs, taken from the
// app's app.yml or Procfile and the formation set with ps:scale.
type ReleaseSpec struct {
	Formation      []Process         `json:"formation"`
	Env            map[string]string `json:"env,omitempty"`
	Health         HealthCheck       `json:"health"`
	ReleaseCommand []string          `json:"release_command,omitempty"`
	Strategy       string            `json:"strategy,omitempty"`
	// Canary is how a canary progresses, for the canary strategy.
	Canary *CanaryPolicy `json:"canary,omitempty"`
	Addons []string      `json:"addons,omitempty"`
}

// StrategyCanary is the deploy strategy that gives a new release a growing
// share of clients while its error rate and latency hold up against the
// stable release's; any other strategy switches all traffic at once.
const StrategyCanary = "canary"

// CanaryStatus is a canary in progress: the stable release, the canary and
// the share of clients it has, and what each analysis so far concluded.
type CanaryStatus struct {
	App       string    `json:"app"`
	Stable    int       `json:"stable"`
	Canary    int       `json:"canary"`
	Weight    int       `json:"weight"`
	Steps     []int     `json:"steps"`
	Step      int       `json:"step"`
	StartedAt time.Time `json:"started_at"`
	// NextAt is when the current step's analysis runs.
	NextAt   time.Time `json:"next_at"`
	Analysis []string  `json:"analysis"`
}

// CanaryPolicy is the progression of a canary: the percentages of clients
// it takes in turn, each for Interval, before it gets them all.
type CanaryPolicy struct {
	Steps    []int         `json:"steps"`
	Interval time.Duration `json:"interval"`
}

// Process returns the formation entry of process type typ.
func (s ReleaseSpec) Process(typ string) (Process, bool) {
	for _, p := range s.Formation {
		if p.Type == typ {
			return p, true
		}
	}
	return Process{}, false
}

// HealthCheck is how the web process is checked before and while it gets
// traffic.
type HealthCheck struct {
	Path     string        `json:"path"`
	Interval time.Duration `json:"interval"`
	Timeout  time.Duration `json:"timeout"`
}

// User is a person or robot that may call the platform.
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Admin     bool      `json:"admin"`
	CreatedAt time.Time `json:"created_at"`
}

// Process is one process type of a release, such as web or worker, and how
// many instances of it should run with what resources.
type Process struct {
	Type string `json:"type"`
	// Command overrides the image's CMD when set.
	Command []string `json:"command,omitempty"`
	Count   int      `json:"count"`
	// CPU is in MHz and Memory in MB; zero means the scheduler's default.
	CPU    int `json:"cpu,omitempty"`
	Memory int `json:"memory,omitempty"`
	// Min and Max bound autoscaling; zero means not autoscaled.
	Min int `json:"min,omitempty"`
	Max int `json:"max,omitempty"`
	// Autoscale is the traffic policy app.yml declares for the process
	// type, if any; its bounds are Min and Max.
	Autoscale *AutoscaleTargets `json:"autoscale,omitempty"`
}

// Deployment is what the scheduler needs to run one release of an app.
type Deployment struct {
	App     string
	Release int
	Image   string
	// Processes lists the process types to run. A process named web
	// receives traffic and is health checked on HealthPath.
	Processes  []Process
	Env        map[string]string
	HealthPath string
	// HealthInterval and HealthTimeout tune the web check; zero means the
	// scheduler's defaults.
	HealthInterval time.Duration
	HealthTimeout  time.Duration
}

// Instance is one running, routable copy of an app's web process, as the
// scheduler's service catalogue reports it.
type Instance struct {
	App     string `json:"app"`
	Release int    `json:"release"`
	AllocID string `json:"alloc_id"`
	// Addr is host:port on which the instance serves HTTP.
	Addr       string `json:"addr"`
	HealthPath string `json:"health_path"`
}

// Route says how the router splits an app's traffic between the releases
// that run. Release takes every request, except those of the CanaryWeight
// percent of clients that go to Canary while a canary runs. Releases that
// run but are not named (a warm previous release, a new one still starting)
// get no traffic. A zero Release sends traffic to every healthy instance.
type Route struct {
	App          string `json:"app"`
	Release      int    `json:"release"`
	Canary       int    `json:"canary,omitempty"`
	CanaryWeight int    `json:"canary_weight,omitempty"`
	// Maintenance answers every request with a maintenance page.
	Maintenance bool `json:"maintenance,omitempty"`
}

// Validate reports what is wrong with r.
func (r Route) Validate() error {
	if err := ValidateAppName(r.App); err != nil {
		return err
	}
	switch {
	case r.Release < 0 || r.Canary < 0:
		return Errorf(EINVALID, "route of %s names a negative release", r.App)
	case r.CanaryWeight < 0 || r.CanaryWeight > 100:
		return Errorf(EINVALID, "canary weight %d%% is not between 0 and 100", r.CanaryWeight)
	case r.Canary != 0 && r.Canary == r.Release:
		return Errorf(EINVALID, "v%d cannot be both the stable release and the canary", r.Canary)
	case r.Canary == 0 && r.CanaryWeight != 0:
		return Errorf(EINVALID, "a canary weight needs a canary release")
	}
	return nil
}

// Event is something that happened to an app outside a push, such as drift
// between the desired and the running state that the platform repaired.
type Event struct {
	App       string    `json:"app"`
	Kind      string    `json:"kind"`
	Message   string    `json:"message"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// EventDrift is the kind of event the reconciler records when it finds and
// repairs drift.
const EventDrift = "drift"

// OneOff is a process run once with a release's image and config, such as
// a release command or `paas run`.
type OneOff struct {
	App     string
	Release int
	Image   string
	// Entrypoint is the image's entrypoint, which runs Command as docker
	// would run it.
	Entrypoint []string
	Command    []string
	Env        map[string]string
	// CPU in MHz and Memory in MB; zero means the scheduler's default.
	CPU, Memory int
}

// ProcessState is one running (or starting, or failed) instance of a
// process type, as the scheduler sees it.
type ProcessState struct {
	// Name is "<type>.<n>", for example web.1.
	Name    string    `json:"name"`
	Type    string    `json:"type"`
	Release int       `json:"release"`
	State   string    `json:"state"`
	Healthy bool      `json:"healthy"`
	AllocID string    `json:"alloc_id"`
	Since   time.Time `json:"since"`
}

// IdempotentResponse is the first response to a request sent with an
// Idempotency-Key, replayed to retries of the same request.
type IdempotentResponse struct {
	Status      int
	ContentType string
	Body        []byte
}

// Webhook events.
const (
	EventBuildSucceeded   = "build.succeeded"
	EventBuildFailed      = "build.failed"
	EventReleaseSucceeded = "release.succeeded"
	EventReleaseFailed    = "release.failed"
	EventRolledBack       = "release.rolled_back"
)

// WebhookEvents lists the events a webhook may subscribe to.
var WebhookEvents = []string{EventBuildSucceeded, EventBuildFailed, EventReleaseSucceeded, EventReleaseFailed, EventRolledBack}

// Webhook is an HTTP endpoint told about an app's events. Deliveries are
// signed with HMAC-SHA256 over the body with Secret, which is shown only
// when the webhook is created.
type Webhook struct {
	ID        int64     `json:"id"`
	App       string    `json:"app"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Secret    string    `json:"secret,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Delivery is one event sent, or being sent, to a webhook.
type Delivery struct {
	ID           int64      `json:"id"`
	WebhookID    int64      `json:"webhook_id"`
	URL          string     `json:"-"`
	Secret       string     `json:"-"`
	Event        string     `json:"event"`
	Payload      []byte     `json:"-"`
	Status       string     `json:"status"`
	Attempts     int        `json:"attempts"`
	ResponseCode int        `json:"response_code"`
	LastError    string     `json:"last_error,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	DeliveredAt  *time.Time `json:"delivered_at,omitempty"`
}

// LogLine is one line of an app's aggregated log: from one of its
// processes (Source "web.1"), or from the platform (Source "paas").
type LogLine struct {
	Time   time.Time `json:"time"`
	Source string    `json:"source"`
	Text   string    `json:"text"`
}

// LogQuery selects an app's log lines.
type LogQuery struct {
	// Process limits the lines to one process type; "" for all.
	Process string
	// Lines is how many recent lines of each stream to show first.
	Lines int
	// Follow keeps streaming new lines until the caller hangs up.
	Follow bool
}
