//! Recurring payments (S25): schedules the LSP pays on time, each occurrence once (admin
//! scope).

use etrid_core::lsp::{CreateScheduleRequest, ListPageRequest};
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::{lsp, promise, JsClient};
use crate::convert::{from_js, from_js_or_default};

#[wasm_bindgen(js_class = Client)]
impl JsClient {
    /// Authorises a recurring payment (admin scope): `{ amount_msat, destination, schedule:
    /// { period, start, end, max_count, catch_up }, idempotency_key, max_total_msat?,
    /// description? }` → the schedule. The LSP pays each occurrence once as it falls due,
    /// across restarts, until it ends or is cancelled; the same key answers the same schedule.
    #[wasm_bindgen(
        js_name = createSchedule,
        unchecked_return_type = "Promise<RecurringSchedule>"
    )]
    pub fn create_schedule(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateScheduleRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: CreateScheduleRequest = from_js(request, "createSchedule request")?;
            lsp(client.create_schedule(request).await)
        })
    }

    /// One schedule: status, paid and failed counts, next due time (admin scope).
    #[wasm_bindgen(js_name = getSchedule, unchecked_return_type = "Promise<RecurringSchedule>")]
    pub fn get_schedule(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.get_schedule(&id).await) })
    }

    /// The account's schedules, newest first, a page at a time (admin scope).
    #[wasm_bindgen(js_name = listSchedules, unchecked_return_type = "Promise<ScheduleList>")]
    pub fn list_schedules(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListPageRequest | undefined")] query: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let query: ListPageRequest = from_js_or_default(query, "listSchedules query")?;
            lsp(client.list_schedules(query).await)
        })
    }

    /// A schedule's history, newest first: each occurrence with its payment (admin scope).
    #[wasm_bindgen(js_name = scheduleRuns, unchecked_return_type = "Promise<ScheduleRunList>")]
    pub fn schedule_runs(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.schedule_runs(&id).await) })
    }

    /// Cancels a schedule: nothing more is paid (admin scope); `lsp_conflict` once completed.
    #[wasm_bindgen(
        js_name = cancelSchedule,
        unchecked_return_type = "Promise<RecurringSchedule>"
    )]
    pub fn cancel_schedule(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.cancel_schedule(&id).await) })
    }
}
