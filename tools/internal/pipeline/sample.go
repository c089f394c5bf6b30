package pipeline

import (
	"context"
	"fmt"

	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
)

// SampleHistory is the history the embedded sample is published with:
// history, then a release on its due date of every quarter of the sample
// past it (publish.OnTime): a deployment that released on time.
func (p *Pipeline) SampleHistory(ctx context.Context, d *delivery.Delivery, history publish.Releases) (*publish.Counted, publish.Releases, error) {
	opt, err := p.PublishOptions(ctx)
	if err != nil {
		return nil, nil, err
	}
	c, h, rep, err := publish.OnTime(d, opt, history)
	if rep != nil && rep.Failed() {
		_ = rep.Write(p.opt.Log)
	}
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(p.opt.Log, "checked %s: %s\n", d.Origin, RowsSummary(rep))
	return c, h, nil
}
