package gitserver

import (
	"context"
	"net"
	"net/http"

	"github.com/gitpaas/paas"
)

// pusher is who pushes, as the audit log records them.
type pusher struct {
	user     *paas.User
	tokenID  int64
	clientIP string
}

// pusherOf returns who sent r with the token of id. The client address is
// the peer's: like the API, the git endpoint trusts no proxy headers.
func pusherOf(r *http.Request, id *paas.Identity) pusher {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return pusher{user: &id.User, tokenID: id.Token.ID, clientIP: ip}
}

// recordPush records a push to app by p and how it ended (nil: released)
// when the server has an Auditor.
func (s *Server) recordPush(ctx context.Context, app string, p pusher, err error) {
	if s.Audit == nil {
		return
	}
	s.Audit.RecordPush(context.WithoutCancel(ctx), paas.AuditEntry{
		User: p.user.Name, TokenID: p.tokenID, Action: "git.push", App: app,
		Method: http.MethodPost, Path: "/git/" + app + ".git/git-receive-pack", ClientIP: p.clientIP,
	}, err)
}
