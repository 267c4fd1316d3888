package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	initialBackoff = 10 * time.Second
	maxBackoff     = 5 * time.Minute
	// A run this long resets the back-off, as the kubelet does.
	stableRun = 10 * time.Minute
)

// supervise keeps a regular container running per the pod's restartPolicy until the pod stops.
func (c *containerRunner) supervise(img *runnableImage) {
	p := c.pod
	backoff := time.Duration(0)
	for p.ctx.Err() == nil {
		inst, err := c.launch(img)
		if err != nil {
			if !p.sleep(nextBackoff(&backoff)) {
				return
			}
			continue
		}
		select {
		case <-inst.exited:
		case <-p.ctx.Done():
			inst.terminate(p.graceFor())
			c.finish(inst, "")
			return
		}
		c.finish(inst, c.takeKillReason())
		ranFor := time.Since(inst.startedAt)
		if ranFor > stableRun {
			backoff = 0
		}
		if !willRestart(p.pod.Spec.RestartPolicy, int32(inst.exitCode)) {
			return
		}
		delay := nextBackoff(&backoff)
		if delay > 0 {
			msg := fmt.Sprintf("back-off %s restarting failed container=%s pod=%s", delay, c.spec.Name, p.pod.Name)
			p.mu.Lock()
			c.state = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: msg}}
			p.mu.Unlock()
			p.notify()
			p.event(corev1.EventTypeWarning, "BackOff", "Back-off restarting failed container "+c.spec.Name)
			if !p.sleep(delay) {
				return
			}
		}
	}
}

// nextBackoff returns the wait before the next restart: none for the first, then 10s doubling to 5m.
func nextBackoff(current *time.Duration) time.Duration {
	d := *current
	switch {
	case d == 0:
		*current = initialBackoff
	case d*2 > maxBackoff:
		*current = maxBackoff
	default:
		*current = d * 2
	}
	return d
}

// runToCompletion runs an init container until it succeeds; false when the pod stops or fails.
func (c *containerRunner) runToCompletion(img *runnableImage) bool {
	p := c.pod
	backoff := time.Duration(0)
	for p.ctx.Err() == nil {
		inst, err := c.launch(img)
		if err == nil {
			select {
			case <-inst.exited:
			case <-p.ctx.Done():
				inst.terminate(p.graceFor())
				c.finish(inst, "")
				return false
			}
			c.finish(inst, "")
			if inst.exitCode == 0 {
				return true
			}
			if p.pod.Spec.RestartPolicy == corev1.RestartPolicyNever {
				p.mu.Lock()
				p.failed = true
				p.mu.Unlock()
				p.notify()
				return false
			}
		}
		if !p.sleep(nextBackoff(&backoff)) {
			return false
		}
	}
	return false
}

// launch starts one run and its probes, recording the outcome in the container's status.
func (c *containerRunner) launch(img *runnableImage) (*processInstance, error) {
	p := c.pod
	p.mu.Lock()
	if c.runs > 0 {
		c.restarts++
	}
	c.runs++
	p.mu.Unlock()
	inst, err := c.start(img)
	if err != nil {
		reason := "CreateContainerError"
		var cfgErr *configError
		if errors.As(err, &cfgErr) {
			reason = "CreateContainerConfigError"
		}
		p.mu.Lock()
		c.restarts = max(c.restarts-1, 0)
		c.runs--
		p.mu.Unlock()
		p.setWaiting(c, reason, err.Error())
		p.eventOnce("create/"+c.spec.Name, corev1.EventTypeWarning, "Failed", "Error: "+err.Error())
		p.notify()
		return nil, err
	}
	p.mu.Lock()
	c.instance = inst
	c.imageID = fmt.Sprintf("sandbox-image://%s:%s", img.Repository, img.Version)
	c.state = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(inst.startedAt)}}
	c.started = c.spec.StartupProbe == nil
	c.ready = false
	if !c.isInit && c.spec.ReadinessProbe == nil && c.started {
		c.ready = true
	}
	p.reported["create/"+c.spec.Name] = ""
	p.mu.Unlock()
	p.event(corev1.EventTypeNormal, "Started", fmt.Sprintf("Started container %s (pid %d)", c.spec.Name, inst.pid))
	p.notify()
	if !c.isInit {
		go c.runProbes(inst)
	}
	return inst, nil
}

// finish records a run's end.
func (c *containerRunner) finish(inst *processInstance, reason string) {
	p := c.pod
	p.mu.Lock()
	c.state = inst.terminatedState(reason)
	c.lastState = c.state
	c.ready = false
	c.instance = nil
	p.mu.Unlock()
	p.notify()
}

// runProbes runs the startup probe, then liveness and readiness probes, for one run.
func (c *containerRunner) runProbes(inst *processInstance) {
	p := c.pod
	ip := p.podIP()
	run := func(probe *corev1.Probe, onChange func(bool, string)) {
		probeLoop(inst.ctx, probe, func(ctx context.Context) probeResult { return runProbe(ctx, probe, ip, &c.spec, inst) }, onChange)
	}
	if sp := c.spec.StartupProbe; sp != nil {
		startedCh := make(chan bool, 1)
		go run(sp, func(ok bool, msg string) {
			if ok {
				select {
				case startedCh <- true:
				default:
				}
				return
			}
			p.event(corev1.EventTypeWarning, "Unhealthy", "Startup probe failed: "+msg)
			c.kill(inst, "startup probe failed")
		})
		select {
		case <-startedCh:
		case <-inst.ctx.Done():
			return
		}
		p.mu.Lock()
		if c.instance == inst {
			c.started = true
			c.ready = c.spec.ReadinessProbe == nil
		}
		p.mu.Unlock()
		p.notify()
	}
	if lp := c.spec.LivenessProbe; lp != nil {
		go run(lp, func(ok bool, msg string) {
			if !ok {
				p.event(corev1.EventTypeWarning, "Unhealthy", "Liveness probe failed: "+msg)
				p.event(corev1.EventTypeNormal, "Killing", fmt.Sprintf("Container %s failed liveness probe, will be restarted", c.spec.Name))
				c.kill(inst, "")
			}
		})
	}
	if rp := c.spec.ReadinessProbe; rp != nil {
		go run(rp, func(ok bool, msg string) {
			if !ok {
				p.event(corev1.EventTypeWarning, "Unhealthy", "Readiness probe failed: "+msg)
			}
			p.mu.Lock()
			changed := c.instance == inst && c.ready != ok
			if c.instance == inst {
				c.ready = ok
			}
			p.mu.Unlock()
			if changed {
				p.notify()
			}
		})
	}
}

// kill stops a run that failed a probe; the supervisor then restarts it per restartPolicy.
func (c *containerRunner) kill(inst *processInstance, reason string) {
	c.pod.mu.Lock()
	c.killReason = reason
	c.pod.mu.Unlock()
	grace := 30 * time.Second
	if g := c.pod.pod.Spec.TerminationGracePeriodSeconds; g != nil {
		grace = time.Duration(*g) * time.Second
	}
	go inst.terminate(grace)
}

func (c *containerRunner) takeKillReason() string {
	c.pod.mu.Lock()
	defer c.pod.mu.Unlock()
	r := c.killReason
	c.killReason = ""
	return r
}

// statusLocked reports the container as the kubelet would; the caller holds the pod's mutex.
func (c *containerRunner) statusLocked() corev1.ContainerStatus {
	started := c.started && c.state.Running != nil
	cs := corev1.ContainerStatus{
		Name:                 c.spec.Name,
		State:                c.state,
		LastTerminationState: corev1.ContainerState{},
		Ready:                c.ready && c.state.Running != nil,
		RestartCount:         c.restarts,
		Image:                c.spec.Image,
		ImageID:              c.imageID,
		Started:              &started,
	}
	if c.isInit && c.state.Terminated != nil && c.state.Terminated.ExitCode == 0 {
		cs.Ready = true
	}
	if c.lastState.Terminated != nil && (c.state.Terminated == nil || c.state.Terminated != c.lastState.Terminated) {
		cs.LastTerminationState = c.lastState
	}
	if c.instance != nil {
		cs.ContainerID = c.instance.id
	} else if t := c.state.Terminated; t != nil {
		cs.ContainerID = t.ContainerID
	}
	if cs.State.Waiting != nil && strings.TrimSpace(cs.State.Waiting.Reason) == "" {
		cs.State.Waiting.Reason = "ContainerCreating"
	}
	return cs
}
