package main

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func testPodRunner(policy corev1.RestartPolicy) *podRunner {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "name-service-0", Namespace: "mq", UID: "u"},
		Spec: corev1.PodSpec{RestartPolicy: policy, Containers: []corev1.Container{
			{Name: "a", Image: "apache/rocketmq:5.3.2"}, {Name: "b", Image: "apache/rocketmq:5.3.2"},
		}},
	}
	return newPodRunner(&Agent{cfg: Config{StateDir: "/nonexistent"}}, pod, "127.0.0.10")
}

func condition(st corev1.PodStatus, t corev1.PodConditionType) corev1.PodCondition {
	for _, c := range st.Conditions {
		if c.Type == t {
			return c
		}
	}
	return corev1.PodCondition{}
}

func TestPodStatusFollowsContainers(t *testing.T) {
	p := testPodRunner(corev1.RestartPolicyAlways)
	st := p.statusLocked()
	if st.Phase != corev1.PodPending || st.PodIP != "127.0.0.10" || st.ContainerStatuses[0].State.Waiting.Reason != "ContainerCreating" {
		t.Fatalf("new pod: %+v", st)
	}
	p.sandboxReady, p.initDone = true, true
	running := corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}}
	p.containers[0].state, p.containers[0].ready = running, true
	st = p.statusLocked()
	if st.Phase != corev1.PodRunning || condition(st, corev1.PodReady).Status != corev1.ConditionFalse {
		t.Fatalf("one of two ready: phase %s ready %s", st.Phase, condition(st, corev1.PodReady).Status)
	}
	p.containers[1].state, p.containers[1].ready = running, true
	st = p.statusLocked()
	ready := condition(st, corev1.PodReady)
	if ready.Status != corev1.ConditionTrue || condition(st, corev1.ContainersReady).Status != corev1.ConditionTrue {
		t.Fatalf("both ready: %+v", st.Conditions)
	}
	time.Sleep(1100 * time.Millisecond)
	again := condition(p.statusLocked(), corev1.PodReady)
	if !again.LastTransitionTime.Equal(&ready.LastTransitionTime) {
		t.Fatal("an unchanged condition got a new transition time")
	}
}

func TestPodPhaseAfterContainersEnd(t *testing.T) {
	p := testPodRunner(corev1.RestartPolicyNever)
	p.sandboxReady, p.initDone = true, true
	done := func(code int32) corev1.ContainerState {
		return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code}}
	}
	p.containers[0].state, p.containers[1].state = done(0), done(0)
	if st := p.statusLocked(); st.Phase != corev1.PodSucceeded {
		t.Fatalf("all exited 0 under Never: %s", st.Phase)
	}
	p.containers[1].state = done(1)
	if st := p.statusLocked(); st.Phase != corev1.PodFailed {
		t.Fatalf("one failed under Never: %s", st.Phase)
	}
	q := testPodRunner(corev1.RestartPolicyAlways)
	q.sandboxReady, q.initDone = true, true
	q.containers[0].state = done(137)
	q.containers[1].state = corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	if st := q.statusLocked(); st.Phase != corev1.PodRunning {
		t.Fatalf("a container that will restart keeps the pod Running: %s", st.Phase)
	}
}

func TestNextBackoffDoublesToFiveMinutes(t *testing.T) {
	var b time.Duration
	var got []time.Duration
	for i := 0; i < 8; i++ {
		got = append(got, nextBackoff(&b))
	}
	want := []time.Duration{0, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second, 300 * time.Second, 300 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("backoff %v", got)
		}
	}
}
