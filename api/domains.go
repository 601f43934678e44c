package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// Domains manages the custom domains of apps (docs/router.md).
type Domains interface {
	Add(ctx context.Context, app string, user *paas.User, hostname, certPEM, keyPEM string) (*paas.Domain, error)
	List(ctx context.Context, app string) ([]*paas.Domain, error)
	Remove(ctx context.Context, app, hostname string) error
}

type domainHandlers struct {
	apps    AppStore
	domains Domains
}

// addDomainRequest names the hostname; a certificate chain and its key,
// both PEM, are optional: without them the platform makes a self-signed
// certificate.
type addDomainRequest struct {
	Hostname string `json:"hostname"`
	CertPEM  string `json:"cert_pem,omitempty"`
	KeyPEM   string `json:"key_pem,omitempty"`
}

func (h *domainHandlers) list(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	ds, err := h.domains.List(c.Request.Context(), app.Name)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, nonNil(ds))
}

func (h *domainHandlers) add(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	var req addDomainRequest
	if err := decodeJSON(c, &req, `{"hostname":"www.example.com"}`); err != nil {
		c.Error(err)
		return
	}
	d, err := h.domains.Add(c.Request.Context(), app.Name, currentUser(c), req.Hostname, req.CertPEM, req.KeyPEM)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusCreated, d)
}

func (h *domainHandlers) remove(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	if err := h.domains.Remove(c.Request.Context(), app.Name, c.Param("hostname")); err != nil {
		c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}
