package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// TeamStore keeps the teams.
type TeamStore interface {
	// ListTeams lists the teams of user memberID, or all when it is 0.
	ListTeams(ctx context.Context, memberID int64) ([]*paas.Team, error)
	CreateTeam(ctx context.Context, name string) (*paas.Team, error)
	DeleteTeam(ctx context.Context, name string) error
}

// TeamMemberStore keeps who belongs to which team.
type TeamMemberStore interface {
	ListTeamMembers(ctx context.Context, team string) ([]*paas.TeamMember, error)
	AddTeamMember(ctx context.Context, team, user string) (*paas.TeamMember, error)
	RemoveTeamMember(ctx context.Context, team, user string) error
}

// TeamAccessStore keeps the roles teams have on apps.
type TeamAccessStore interface {
	SetTeamRole(ctx context.Context, app, team string, role paas.Role) (*paas.Collaborator, error)
	RemoveTeamRole(ctx context.Context, app, team string) error
}

type teamHandlers struct {
	teams   TeamStore
	members TeamMemberStore
}

// list shows platform admins every team, and other users their own.
func (h *teamHandlers) list(c *gin.Context) {
	var member int64
	if u := currentUser(c); !u.Admin {
		member = u.ID
	}
	teams, err := h.teams.ListTeams(c.Request.Context(), member)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, nonNil(teams))
}

type createTeamRequest struct {
	Name string `json:"name"`
}

func (h *teamHandlers) create(c *gin.Context) {
	var req createTeamRequest
	if err := decodeJSON(c, &req, `{"name":"backend"}`); err != nil {
		c.Error(err)
		return
	}
	t, err := h.teams.CreateTeam(c.Request.Context(), req.Name)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusCreated, t)
}

func (h *teamHandlers) destroy(c *gin.Context) {
	if err := h.teams.DeleteTeam(c.Request.Context(), c.Param("team")); err != nil {
		c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}

// listMembers shows a team's members to platform admins and to the
// members; to anyone else the team does not exist, as apps do not.
func (h *teamHandlers) listMembers(c *gin.Context) {
	team := c.Param("team")
	ms, err := h.members.ListTeamMembers(c.Request.Context(), team)
	if err != nil {
		c.Error(err)
		return
	}
	if u := currentUser(c); !u.Admin && !hasMember(ms, u.Name) {
		c.Error(paas.ErrTeamNotFound(team))
		return
	}
	c.JSON(http.StatusOK, nonNil(ms))
}

func hasMember(ms []*paas.TeamMember, user string) bool {
	for _, m := range ms {
		if m.User == user {
			return true
		}
	}
	return false
}

func (h *teamHandlers) addMember(c *gin.Context) {
	m, err := h.members.AddTeamMember(c.Request.Context(), c.Param("team"), c.Param("user"))
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, m)
}

func (h *teamHandlers) removeMember(c *gin.Context) {
	if err := h.members.RemoveTeamMember(c.Request.Context(), c.Param("team"), c.Param("user")); err != nil {
		c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}

type teamAccessHandlers struct {
	store TeamAccessStore
}

// set gives a team a role on the app, replacing the one it had.
func (h *teamAccessHandlers) set(c *gin.Context) {
	var req setAccessRequest
	if err := decodeJSON(c, &req, `{"role":"deployer"}`); err != nil {
		c.Error(err)
		return
	}
	role, err := paas.ParseRole(req.Role)
	if err != nil {
		c.Error(err)
		return
	}
	grant, err := h.store.SetTeamRole(c.Request.Context(), c.Param("app"), c.Param("team"), role)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, grant)
}

func (h *teamAccessHandlers) remove(c *gin.Context) {
	if err := h.store.RemoveTeamRole(c.Request.Context(), c.Param("app"), c.Param("team")); err != nil {
		c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}
