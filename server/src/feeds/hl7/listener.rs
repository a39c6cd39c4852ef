//! The MLLP listener: a TCP server that reads framed messages, answers
//! each with its ACK on the same connection, in order, and stops with the
//! server. Bounded everywhere: message size, connections, idle time, and
//! the time a message may take to arrive once begun.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, timeout_at};

use super::Context;
use super::mllp::{Deframer, Frame, frame};
use super::receive;
use super::settings::Listening;
use crate::feeds::keys;

/// A bound listener, ready to run.
pub struct Listener {
    tcp: TcpListener,
    ctx: Arc<Context>,
    limits: Listening,
}

impl Listener {
    /// Binds `limits.bind`. A feed key that is not live is logged, not
    /// fatal: the HTTP side still starts, and every message is answered AR
    /// until a live key is configured.
    pub async fn bind(limits: Listening, ctx: Context) -> anyhow::Result<Self> {
        let tcp = TcpListener::bind(limits.bind).await?;
        match keys::live_key(&ctx.db, &limits.feed_key).await {
            Ok(Some(key)) => tracing::info!(feed_key_id = %key.key_id, team_id = %key.team_id, "HL7 listener ready"),
            Ok(None) => {
                tracing::warn!("the HL7 listener's feed key is unknown or revoked: messages will be answered AR")
            }
            Err(err) => tracing::warn!(cause = %err, "could not check the HL7 listener's feed key"),
        }
        Ok(Self { tcp, ctx: Arc::new(ctx), limits })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.tcp.local_addr()
    }

    /// Accepts connections until `stop` turns true, then waits for each
    /// connection to finish the message it is receiving or processing.
    pub async fn run(self, stop: watch::Receiver<bool>) {
        let permits = Arc::new(Semaphore::new(self.limits.max_connections));
        let mut connections = JoinSet::new();
        let mut stopping = stop.clone();
        loop {
            tokio::select! {
                _ = stopping.wait_for(|stopped| *stopped) => break,
                accepted = self.tcp.accept() => match accepted {
                    Ok((stream, peer)) => match Arc::clone(&permits).try_acquire_owned() {
                        Ok(permit) => {
                            let (ctx, limits, stop) = (Arc::clone(&self.ctx), self.limits.clone(), stop.clone());
                            connections.spawn(async move {
                                serve(stream, peer, &ctx, &limits, stop).await;
                                drop(permit);
                            });
                        }
                        Err(_) => tracing::warn!(%peer, "HL7 connection refused: too many connections"),
                    },
                    Err(err) => tracing::warn!(cause = %err, "HL7 accept failed"),
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        drop(self.tcp);
        while connections.join_next().await.is_some() {}
        tracing::info!("HL7 listener stopped");
    }
}

/// Serves one connection: frames in, ACKs out, until the peer closes, a
/// timeout passes, the framing breaks, or the server stops between messages.
async fn serve(
    mut stream: TcpStream,
    peer: SocketAddr,
    ctx: &Context,
    limits: &Listening,
    mut stop: watch::Receiver<bool>,
) {
    let peer_ip = peer.ip().to_string();
    let mut deframer = Deframer::new(limits.max_message_bytes);
    let mut buffer = vec![0u8; 64 * 1024];
    let mut frame_started = Instant::now();
    loop {
        let deadline = if deframer.in_frame() {
            frame_started + limits.frame_timeout
        } else {
            Instant::now() + limits.idle_timeout
        };
        let read = tokio::select! {
            read = timeout_at(deadline, stream.read(&mut buffer)) => read,
            _ = stop.wait_for(|stopped| *stopped), if !deframer.in_frame() => return,
        };
        let n = match read {
            Err(_) => {
                tracing::info!(%peer, in_frame = deframer.in_frame(), "HL7 connection timed out");
                return;
            }
            Ok(Err(_)) | Ok(Ok(0)) => return,
            Ok(Ok(n)) => n,
        };
        let was_in_frame = deframer.in_frame();
        let mut frames = Vec::new();
        let framing = deframer.push(buffer.get(..n).unwrap_or_default(), &mut frames);
        if !was_in_frame || !frames.is_empty() {
            frame_started = Instant::now();
        }
        for item in frames {
            let ack = match item {
                Frame::Message(bytes) => receive::answer(ctx, &bytes, &peer_ip).await,
                Frame::Oversized { head, size } => {
                    receive::oversized(&head, size, limits.max_message_bytes, ctx.clock.now())
                }
            };
            let framed = frame(&ack);
            if !matches!(tokio::time::timeout(limits.frame_timeout, stream.write_all(&framed)).await, Ok(Ok(()))) {
                return;
            }
        }
        if let Err(err) = framing {
            tracing::warn!(%peer, %err, "HL7 connection closed: broken MLLP framing");
            return;
        }
        if *stop.borrow() && !deframer.in_frame() {
            return;
        }
    }
}
