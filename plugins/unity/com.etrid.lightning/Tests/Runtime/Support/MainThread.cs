// A thread with a message loop and its own SynchronizationContext: what a game engine's main
// thread is to LightningClient (Unity installs UnitySynchronizationContext on its main thread).

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Etrid.Tests
{
    /// <summary>A message-loop thread with its own SynchronizationContext, for the tests.</summary>
    sealed class MainThread : SynchronizationContext, IDisposable
    {
        readonly BlockingCollection<KeyValuePair<SendOrPostCallback, object>> queue =
            new BlockingCollection<KeyValuePair<SendOrPostCallback, object>>();
        readonly Thread thread;

        /// <summary>Starts the thread and its loop.</summary>
        public MainThread()
        {
            thread = new Thread(() =>
            {
                SetSynchronizationContext(this);
                foreach (var item in queue.GetConsumingEnumerable()) item.Key(item.Value);
            });
            thread.IsBackground = true;
            thread.Start();
        }

        /// <summary>The managed id of the loop's thread.</summary>
        public int ThreadId { get { return thread.ManagedThreadId; } }

        /// <summary>Queues <paramref name="callback"/> to run on the loop.</summary>
        public override void Post(SendOrPostCallback callback, object state)
        {
            queue.Add(new KeyValuePair<SendOrPostCallback, object>(callback, state));
        }

        /// <summary>Runs <paramref name="body"/> on the loop and waits for its result.</summary>
        public T Run<T>(Func<T> body)
        {
            var done = new TaskCompletionSource<T>();
            Post(_ => { try { done.SetResult(body()); } catch (Exception e) { done.SetException(e); } }, null);
            return done.Task.Result;
        }

        /// <summary>Ends the loop once the queued callbacks ran.</summary>
        public void Dispose()
        {
            queue.CompleteAdding();
            thread.Join(10000);
        }
    }
}
