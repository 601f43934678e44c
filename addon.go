package paas

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// AddonState is where an add-on is in its life.
type AddonState string

// The states of an add-on. An add-on is creating until its first instance
// is healthy; only an available add-on can be attached.
const (
	AddonCreating  AddonState = "creating"
	AddonAvailable AddonState = "available"
)

// Addon is a backing service, such as a Postgres database or a Redis
// cache, that the platform runs for apps as a process of its own, with its
// data in a directory that outlives the process. Apps reach it through a
// config var (DATABASE_URL) that attaching sets.
type Addon struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Type names the provider: postgres, redis.
	Type string `json:"type"`
	Plan string `json:"plan"`
	// App is the app the add-on was created for, whose owners may destroy
	// it; "" once that app was destroyed.
	App string `json:"app"`
	// State is the platform's record; Status is what the scheduler says
	// about the running instance now (running, starting, …), when asked.
	State  AddonState `json:"state"`
	Status string     `json:"status,omitempty"`
	// Host and Port are where apps reach the add-on.
	Host        string            `json:"host,omitempty"`
	Port        int               `json:"port"`
	Attachments []AddonAttachment `json:"attachments"`
	CreatedBy   string            `json:"created_by"`
	CreatedAt   time.Time         `json:"created_at"`
	// Password is the add-on's credential. It is never encoded to JSON and
	// is sealed at rest; it reaches apps only inside their config vars.
	Password string `json:"-"`
}

// AddonAttachment gives an app an add-on under a name: the config var
// <Name>_URL holds the add-on's URL.
type AddonAttachment struct {
	Addon     string    `json:"addon"`
	App       string    `json:"app"`
	Name      string    `json:"name"`
	ConfigVar string    `json:"config_var"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// AttachmentVar returns the config var of an attachment named name:
// DATABASE gives DATABASE_URL.
func AttachmentVar(name string) string { return name + "_URL" }

// Backup is a dump of an add-on's data, kept by the platform with its
// SHA-256 checksum.
type Backup struct {
	ID int64 `json:"id"`
	// AddonID and Addon name the add-on the backup was taken of; it may
	// have been destroyed since.
	AddonID int64  `json:"addon_id"`
	Addon   string `json:"addon"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
	// Scheduled backups are taken daily and pruned; the others are kept
	// until deleted.
	Scheduled bool      `json:"scheduled"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// BackupLabel names backup id as users see it: b007.
func BackupLabel(id int64) string { return fmt.Sprintf("b%03d", id) }

// ParseBackupID reads a backup ID written as b007, b7 or 7.
func ParseBackupID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "b"), 10, 64)
	if err != nil || id < 1 {
		return 0, Errorf(EINVALID, "backup ID %q is not valid; write it as in paas pg:backups, e.g. b001", clip(s))
	}
	return id, nil
}

// ErrAddonPortTaken is the error of recording an add-on on a port that
// another add-on holds; the caller picks another port and tries again.
var ErrAddonPortTaken = errors.New("the add-on's port is taken")

// AddonJob is what the scheduler runs for one add-on: one container with a
// fixed host port and a host directory for its data.
type AddonJob struct {
	Addon string
	Type  string
	Image string
	// Command overrides the image's CMD when set.
	Command []string
	// Env may hold the add-on's credentials.
	Env map[string]string
	// Port is the host port apps connect to; ContainerPort is where the
	// process listens in its container.
	Port          int
	ContainerPort int
	// DataDir is the host directory bound at MountPath in the container.
	DataDir   string
	MountPath string
	// KillSignal stops the process gracefully; empty means SIGTERM.
	KillSignal string
	// CPU in MHz and Memory in MB.
	CPU, Memory int
}

// Endpoint is the address at which an add-on serves.
type Endpoint struct {
	Host string
	Port int
}

// MaxAddonNameLen bounds add-on names, which become Nomad job names and
// host directory names.
const MaxAddonNameLen = 50

// releaseLikeSuffix matches name endings that would make the Nomad job of
// an add-on ("paas-addon-<name>") look like a job or service of an app
// named "addon-…": "-v3", "-web", "-run-0123abcd".
var releaseLikeSuffix = regexp.MustCompile(`(^|-)(v[0-9]+|web|run-[0-9a-f]{8})$`)

// ValidateAddonName reports whether name can name an add-on: lower-case
// letters, digits and dashes, starting with a letter, at most
// MaxAddonNameLen long.
func ValidateAddonName(name string) error {
	const hint = "use lower-case letters, digits and dashes, starting with a letter (e.g. hello-postgres)"
	switch {
	case name == "":
		return Errorf(EINVALID, "add-on name is empty; %s", hint)
	case len(name) > MaxAddonNameLen:
		return Errorf(EINVALID, "add-on name %q is longer than %d characters; %s", clip(name), MaxAddonNameLen, hint)
	case name[0] < 'a' || name[0] > 'z':
		return Errorf(EINVALID, "add-on name %q must start with a lower-case letter; %s", clip(name), hint)
	case strings.HasSuffix(name, "-"):
		return Errorf(EINVALID, "add-on name %q must not end with a dash; %s", name, hint)
	case releaseLikeSuffix.MatchString(name):
		return Errorf(EINVALID, "add-on name %q ends like the name of an app's process; choose another ending", name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return Errorf(EINVALID, "add-on name %q contains %q; %s", clip(name), r, hint)
		}
	}
	return nil
}

// ValidateAttachmentName reports whether name can name an attachment, the
// prefix of its config var: upper-case letters, digits and underscores,
// starting with a letter, such as DATABASE or ANALYTICS.
func ValidateAttachmentName(name string) error {
	const hint = "use upper-case letters, digits and underscores, starting with a letter (e.g. ANALYTICS for ANALYTICS_URL)"
	if name == "" || len(name) > 60 {
		return Errorf(EINVALID, "attachment name %q is empty or too long; %s", clip(name), hint)
	}
	for i, r := range name {
		if !(r >= 'A' && r <= 'Z' || r == '_' && i > 0 || r >= '0' && r <= '9' && i > 0) {
			return Errorf(EINVALID, "attachment name %q is not valid; %s", clip(name), hint)
		}
	}
	return ValidateConfigKey(AttachmentVar(name))
}
