package main

import (
	"context"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/api"
	"github.com/gitpaas/paas/internal/autoscale"
	"github.com/gitpaas/paas/internal/pipeline"
)

// autoscaling serves the API's autoscaling routes from the autoscaler and
// the pipeline that stores policies.
type autoscaling struct {
	*autoscale.Autoscaler
	pipeline *pipeline.Pipeline
}

var _ api.Autoscaling = autoscaling{}

// SetPolicy stores pol and has the autoscaler apply it at once.
func (a autoscaling) SetPolicy(ctx context.Context, user *paas.User, pol paas.AutoscalePolicy) (paas.AutoscalePolicy, error) {
	return a.Autoscaler.SetPolicy(ctx, a.pipeline, user, pol)
}
