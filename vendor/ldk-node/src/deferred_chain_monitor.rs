// Étrid patch: this whole file (see ETRID-PATCH.md).

//! Monitor writes that wait for the `ChannelManager`'s: a backport to LDK 0.2 of the deferred
//! `ChainMonitor` upstream LDK added in 0.3 (rust-lightning PR #4351).
//!
//! The `ChannelManager` is given this watcher instead of the [`ChainMonitor`]. With deferral on,
//! every new monitor and monitor update is queued and answered `InProgress`; the background
//! processor counts the queue, persists the `ChannelManager` (which lists each queued update as
//! in flight), and only then calls [`DeferredMonitorWrites::flush`], which hands that many
//! operations to the [`ChainMonitor`] (written synchronously by its persister) and reports each
//! complete. A monitor on disk is thus never ahead of the manager on disk: after a crash at any
//! moment LDK replays the in-flight updates instead of force-closing the channels as
//! `OutdatedChannelManager`. With deferral off, it passes everything straight through.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use bitcoin::secp256k1::PublicKey;
use lightning::chain::channelmonitor::{ChannelMonitor, ChannelMonitorUpdate, MonitorEvent};
use lightning::chain::transaction::OutPoint;
use lightning::chain::{ChannelMonitorUpdateStatus, Watch};
use lightning::ln::types::ChannelId;
use lightning::sign::InMemorySigner;
use lightning_background_processor::DeferredMonitorWrites;

use crate::logger::{log_error, LdkLogger, Logger};
use crate::types::ChainMonitor;

/// One monitor operation waiting for the manager to be persisted.
enum Operation {
	/// A new channel's monitor.
	Watch(ChannelId, ChannelMonitor<InMemorySigner>),
	/// An update of an existing channel's monitor.
	Update(ChannelId, ChannelMonitorUpdate),
}

/// The `ChannelManager`'s chain watcher: the [`ChainMonitor`], with its writes deferred until
/// after the manager's when `deferred` is set.
pub(crate) struct DeferredChainMonitor {
	inner: Arc<ChainMonitor>,
	deferred: bool,
	queue: Mutex<VecDeque<Operation>>,
	logger: Arc<Logger>,
}

impl DeferredChainMonitor {
	/// Wraps `inner`; `deferred` queues its writes until [`DeferredMonitorWrites::flush`].
	pub(crate) fn new(inner: Arc<ChainMonitor>, deferred: bool, logger: Arc<Logger>) -> Self {
		Self { inner, deferred, queue: Mutex::new(VecDeque::new()), logger }
	}

	/// Reports a monitor operation the [`ChainMonitor`] completed to the manager.
	fn completed(&self, channel_id: ChannelId, update_id: u64) {
		if let Err(e) = self.inner.channel_monitor_updated(channel_id, update_id) {
			log_error!(
				self.logger,
				"Failed to complete monitor update {} of channel {}: {:?}",
				update_id,
				channel_id,
				e
			);
		}
	}
}

impl Watch<InMemorySigner> for DeferredChainMonitor {
	fn watch_channel(
		&self, channel_id: ChannelId, monitor: ChannelMonitor<InMemorySigner>,
	) -> Result<ChannelMonitorUpdateStatus, ()> {
		if !self.deferred {
			return self.inner.watch_channel(channel_id, monitor);
		}
		let mut queue = self.queue.lock().unwrap();
		let queued =
			queue.iter().any(|op| matches!(op, Operation::Watch(id, _) if *id == channel_id));
		// As the ChainMonitor would: a channel is watched once.
		if queued || self.inner.list_monitors().contains(&channel_id) {
			return Err(());
		}
		queue.push_back(Operation::Watch(channel_id, monitor));
		Ok(ChannelMonitorUpdateStatus::InProgress)
	}

	fn update_channel(
		&self, channel_id: ChannelId, update: &ChannelMonitorUpdate,
	) -> ChannelMonitorUpdateStatus {
		if !self.deferred {
			return self.inner.update_channel(channel_id, update);
		}
		self.queue.lock().unwrap().push_back(Operation::Update(channel_id, update.clone()));
		ChannelMonitorUpdateStatus::InProgress
	}

	fn release_pending_monitor_events(
		&self,
	) -> Vec<(OutPoint, ChannelId, Vec<MonitorEvent>, PublicKey)> {
		self.inner.release_pending_monitor_events()
	}
}

impl DeferredMonitorWrites for DeferredChainMonitor {
	fn pending_operation_count(&self) -> usize {
		self.queue.lock().unwrap().len()
	}

	fn flush(&self, count: usize) {
		// Only the background processor flushes, so popping one at a time keeps the order
		// without holding the lock (peers keep queueing) while a monitor is written.
		for _ in 0..count {
			let Some(operation) = self.queue.lock().unwrap().pop_front() else {
				return;
			};
			match operation {
				Operation::Watch(channel_id, monitor) => {
					let update_id = monitor.get_latest_update_id();
					match self.inner.watch_channel(channel_id, monitor) {
						Ok(ChannelMonitorUpdateStatus::Completed) => {
							self.completed(channel_id, update_id)
						},
						// The persister writes synchronously: never in progress.
						Ok(ChannelMonitorUpdateStatus::InProgress) => {},
						// The ChainMonitor panics itself on an unrecoverable write.
						Ok(ChannelMonitorUpdateStatus::UnrecoverableError) => {},
						Err(()) => log_error!(
							self.logger,
							"Failed to watch the monitor of channel {}: already watched",
							channel_id
						),
					}
				},
				Operation::Update(channel_id, update) => {
					match self.inner.update_channel(channel_id, &update) {
						ChannelMonitorUpdateStatus::Completed => {
							self.completed(channel_id, update.update_id)
						},
						// The update did not apply (the channel is closing on chain): by LDK's
						// contract it never completes.
						ChannelMonitorUpdateStatus::InProgress => {},
						ChannelMonitorUpdateStatus::UnrecoverableError => {},
					}
				},
			}
		}
	}
}
