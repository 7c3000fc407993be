/* sd_notify.h: readiness and state for systemd (Type=notify), the datagram protocol of sd_notify(3). */
#pragma once

/* Sends "READY=1", "RELOADING=1", "STOPPING=1", "STATUS=..." to $NOTIFY_SOCKET.
 * Does nothing (returns 0) when not started by systemd. */
int sd_notify_send(const char *state);
