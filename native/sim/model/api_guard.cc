#include "sim/model/api_guard.h"

#include "sim/model/model.h"
#include "sim/model/model_registry.h"

namespace aclsim::model {

aclError RequireExecutor() {
  if (State::Get().initialized.load(std::memory_order_acquire)) return ACL_SUCCESS;
  return Fail(acl::ACL_ERROR_GE_EXEC_NOT_INIT, "aclInit has not been called: the model executor is not initialised");
}

aclError FindLoadedModel(uint32_t id, std::shared_ptr<Model> *out) {
  std::shared_ptr<Model> model = FindModel(id);
  if (model == nullptr || model->released()) {
    return Fail(acl::ACL_ERROR_INVALID_MODEL_ID,
                "model id %u is not a loaded model (never loaded, unloaded, or released by a device reset or "
                "aclFinalize)",
                id);
  }
  *out = std::move(model);
  return ACL_SUCCESS;
}

}  // namespace aclsim::model
