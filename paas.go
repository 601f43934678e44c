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

// Release is an immutable pairing of an image with the way it runs. Releases
// of an app are numbered v1, v2, … in the order they were made.
type Release struct {
	ID          int64         `json:"id"`
	App         string        `json:"app"`
	Version     int           `json:"version"`
	Image       string        `json:"image"`
	BuildID     int64         `json:"build_id,omitempty"`
	Description string        `json:"description"`
	Status      ReleaseStatus `json:"status"`
	Error       string        `json:"error,omitempty"`
	Current     bool          `json:"current"`
	CreatedBy   string        `json:"created_by"`
	CreatedAt   time.Time     `json:"created_at"`
}

// User is a person or robot that may call the platform.
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Admin     bool      `json:"admin"`
	CreatedAt time.Time `json:"created_at"`
}

// Process is one process type of a release, such as web, and how many
// instances of it should run.
type Process struct {
	Type    string   `json:"type"`
	Command []string `json:"command,omitempty"`
	Count   int      `json:"count"`
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
