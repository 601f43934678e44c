package paas

import (
	"strings"
	"time"
)

// Team is a named group of users. A team may be given a role on apps, and
// each of its members then holds that role on them, unless they hold a
// higher one directly or through another team.
type Team struct {
	Name string `json:"name"`
	// Members is how many users belong to the team.
	Members   int       `json:"members"`
	CreatedAt time.Time `json:"created_at"`
}

// TeamMember is a user's membership of a team.
type TeamMember struct {
	Team      string    `json:"team"`
	User      string    `json:"user"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxTeamNameLen bounds team names, as MaxAppNameLen bounds app names.
const MaxTeamNameLen = MaxAppNameLen

// ValidateTeamName reports whether name can name a team: the rules of app
// names (a DNS label of lower-case letters, digits and dashes, starting
// with a letter).
func ValidateTeamName(name string) error {
	const hint = "use 1-30 lower-case letters, digits and dashes, starting with a letter (e.g. backend)"
	switch {
	case name == "":
		return Errorf(EINVALID, "team name is empty; %s", hint)
	case len(name) > MaxTeamNameLen:
		return Errorf(EINVALID, "team name %q is %d characters long; %s", clip(name), len(name), hint)
	case name[0] < 'a' || name[0] > 'z':
		return Errorf(EINVALID, "team name %q must start with a lower-case letter; %s", clip(name), hint)
	case strings.HasSuffix(name, "-"):
		return Errorf(EINVALID, "team name %q must not end with a dash; %s", name, hint)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return Errorf(EINVALID, "team name %q contains %q; %s", clip(name), r, hint)
		}
	}
	return nil
}

// ErrTeamNotFound is the error for a team that does not exist or that the
// caller may not see: the same words, so that the two cannot be told apart.
func ErrTeamNotFound(team string) error {
	return Errorf(ENOTFOUND, "team %q not found; list your teams with: paas teams", clip(team))
}
