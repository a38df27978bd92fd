// The publisher's connection to the MQTT broker with libmosquitto, driven from one thread:
// every wait runs mosquitto_loop until the broker's answer arrives or the time is up.
#include <mosquitto.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <set>

#include "fleet/fleet.h"
#include "sync/curl_library.h"

namespace signage::fleet {

struct Broker::State {
  std::optional<int> connack;  // the broker's answer to CONNECT
  bool disconnected = false;
  std::set<int> done;  // message ids the broker acknowledged (PUBACK, SUBACK)
  std::vector<int> granted;
  std::deque<Message> inbox;
  std::string last_log;  // libmosquitto's last warning or error (the TLS library's reason)
  int loop_rc = 0, loop_errno = 0;  // why the last wait ended early
};

namespace {

// mosquitto_lib_init once per process, before the first connection (thread-safe static).
void lib_init() {
  static const int once = mosquitto_lib_init();
  (void)once;
}

std::string connack_words(int rc) {
  switch (rc) {
    case 1: return "the broker does not speak this MQTT version (3.1.1)";
    case 2: return "the broker refused this client name";
    case 3: return "the broker is not available now (it answered, but takes no clients)";
    case 4: return "the broker refused the user name or password (--username, --password-file)";
    case 5:  // mosquitto 2 answers a wrong password with this too
      return "the broker did not let this user in: a wrong user name or password "
             "(--username, --password-file), or the user may not connect";
    default: return "the broker refused the connection (code " + std::to_string(rc) + ")";
  }
}

std::string host_port(const BrokerAddress& a) {
  return a.host + ":" + std::to_string(a.port);
}

// Why a connection failed, for a person at a district office.
std::string failure_words(int rc, int saved_errno, const BrokerAddress& address,
                          const Broker::State& state) {
  std::string where = "the broker at " + host_port(address);
  switch (rc) {
    case MOSQ_ERR_EAI:
      return "cannot find the broker's address '" + address.host +
             "' (a typo in --broker, or no name service on this network)";
    case MOSQ_ERR_TLS:
    case MOSQ_ERR_TLS_HANDSHAKE:
      return "the secure (TLS) connection to " + where +
             " failed: its certificate is not signed by the CA given (--ca-file), is for another "
             "name, or it does not speak TLS on this port" +
             (state.last_log.empty() ? "" : " (" + state.last_log + ")");
    case MOSQ_ERR_ERRNO:
      if (saved_errno == ECONNREFUSED) {
        return where + " refuses connections: is mosquitto running, and is the port right?";
      }
      if (saved_errno == ETIMEDOUT || saved_errno == EHOSTUNREACH || saved_errno == ENETUNREACH) {
        return "cannot reach " + where + " (" + std::strerror(saved_errno) +
               "): check the network and firewall";
      }
      return "cannot talk to " + where + ": " + std::strerror(saved_errno);
    case MOSQ_ERR_CONN_LOST:
      return where + " closed the connection" +
             (address.tls ? "" : " (does it want TLS? then use mqtts://)");
    default:
      return "cannot talk to " + where + ": " + mosquitto_strerror(rc) +
             (state.last_log.empty() ? "" : " (" + state.last_log + ")");
  }
}

void on_connect(mosquitto*, void* obj, int rc) {
  static_cast<Broker::State*>(obj)->connack = rc;
}
void on_disconnect(mosquitto*, void* obj, int) {
  static_cast<Broker::State*>(obj)->disconnected = true;
}
void on_publish(mosquitto*, void* obj, int mid) {
  static_cast<Broker::State*>(obj)->done.insert(mid);
}
void on_subscribe(mosquitto*, void* obj, int mid, int count, const int* granted) {
  auto* state = static_cast<Broker::State*>(obj);
  state->done.insert(mid);
  state->granted.assign(granted, granted + count);
}
void on_message(mosquitto*, void* obj, const mosquitto_message* m) {
  static_cast<Broker::State*>(obj)->inbox.push_back(
      {m->topic, std::string(static_cast<const char*>(m->payload), std::size_t(m->payloadlen)),
       m->retain});
}
void on_log(mosquitto*, void* obj, int level, const char* text) {
  if (level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING)) static_cast<Broker::State*>(obj)->last_log = text;
}

std::string made_up_client_id() {
  std::random_device random;
  return "signage-fleet-" + std::to_string(::getpid()) + "-" + std::to_string(random() % 100000);
}

}  // namespace

std::optional<BrokerAddress> parse_broker_url(std::string_view url, std::string* error) {
  const sync::CurlLibrary& curl = sync::curl_library();
  auto fail = [&](std::string message) -> std::optional<BrokerAddress> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  if (!curl.error.empty()) return fail(curl.error);
  CURLU* handle = curl.url();
  std::string text(url);
  BrokerAddress address;
  char* part = nullptr;
  bool ok =
      curl.url_set(handle, CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK;
  std::string scheme;
  if (ok && curl.url_get(handle, CURLUPART_SCHEME, &part, 0) == CURLUE_OK) {
    scheme = part;
    curl.free(part);
  }
  if (ok && curl.url_get(handle, CURLUPART_HOST, &part, 0) == CURLUE_OK) {
    address.host = part;
    curl.free(part);
  }
  std::string port;
  if (ok && curl.url_get(handle, CURLUPART_PORT, &part, 0) == CURLUE_OK) {
    port = part;
    curl.free(part);
  }
  curl.url_cleanup(handle);
  if (!ok || address.host.empty() || (scheme != "mqtt" && scheme != "mqtts")) {
    return fail("--broker " + text +
                ": give the broker as mqtt://HOST[:PORT] or, with TLS, mqtts://HOST[:PORT]");
  }
  address.tls = scheme == "mqtts";
  address.port = port.empty() ? (address.tls ? 8883 : 1883) : std::stoi(port);
  if (address.host.size() > 2 && address.host.front() == '[') {  // [::1] -> ::1
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  return address;
}

std::unique_ptr<Broker> Broker::connect(const BrokerSettings& settings, std::string* error,
                                        double timeout_s) {
  auto address = parse_broker_url(settings.url, error);
  if (!address) return nullptr;
  lib_init();
  std::unique_ptr<Broker> broker(new Broker());
  broker->state_ = std::make_unique<State>();
  std::string id = settings.client_id.empty() ? made_up_client_id() : settings.client_id;
  broker->mosq_ = mosquitto_new(id.c_str(), true, broker->state_.get());
  if (!broker->mosq_) {
    if (error) *error = "cannot start an MQTT client (out of memory)";
    return nullptr;
  }
  mosquitto* m = broker->mosq_;
  mosquitto_connect_callback_set(m, on_connect);
  mosquitto_disconnect_callback_set(m, on_disconnect);
  mosquitto_publish_callback_set(m, on_publish);
  mosquitto_subscribe_callback_set(m, on_subscribe);
  mosquitto_message_callback_set(m, on_message);
  mosquitto_log_callback_set(m, on_log);
  if (!settings.username.empty() &&
      mosquitto_username_pw_set(m, settings.username.c_str(),
                                settings.password.empty() ? nullptr : settings.password.c_str()) !=
          MOSQ_ERR_SUCCESS) {
    if (error) *error = "the user name or password cannot be sent (too long?)";
    return nullptr;
  }
  if (address->tls || !settings.ca_file.empty() || !settings.cert_file.empty()) {
    if (!address->tls) {
      if (error)
        *error = "a CA file or client certificate is for a TLS broker: mqtts://HOST[:PORT]";
      return nullptr;
    }
    const char* cert = settings.cert_file.empty() ? nullptr : settings.cert_file.c_str();
    const char* key = settings.key_file.empty() ? nullptr : settings.key_file.c_str();
    int rc = MOSQ_ERR_SUCCESS;
    if (settings.ca_file.empty()) rc = mosquitto_int_option(m, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
    if (rc == MOSQ_ERR_SUCCESS && (!settings.ca_file.empty() || cert)) {
      rc = mosquitto_tls_set(m, settings.ca_file.empty() ? nullptr : settings.ca_file.c_str(),
                             settings.ca_file.empty() ? "/etc/ssl/certs" : nullptr, cert, key,
                             nullptr);
    }
    if (rc != MOSQ_ERR_SUCCESS) {
      if (error) {
        *error = "cannot use the CA file " + settings.ca_file +
                 (cert ? " or the client certificate " + settings.cert_file : std::string()) +
                 " (missing or unreadable; they must be PEM files)";
      }
      return nullptr;
    }
  }
  int rc = mosquitto_connect(m, address->host.c_str(), address->port, settings.keepalive_s);
  int saved_errno = errno;
  if (rc != MOSQ_ERR_SUCCESS) {
    if (error) *error = failure_words(rc, saved_errno, *address, *broker->state_);
    return nullptr;
  }
  std::string why;
  if (!broker->wait([&] { return broker->state_->connack.has_value(); }, timeout_s, &why)) {
    const State& state = *broker->state_;
    if (error && state.loop_rc != MOSQ_ERR_SUCCESS) {
      *error = failure_words(state.loop_rc, state.loop_errno, *address, state);
    } else if (error) {
      *error = why.empty() ? "the broker at " + host_port(*address) + " did not answer within " +
                                 std::to_string(int(timeout_s)) + " s"
                           : why;
    }
    return nullptr;
  }
  if (*broker->state_->connack != 0) {
    if (error) *error = connack_words(*broker->state_->connack);
    return nullptr;
  }
  return broker;
}

Broker::~Broker() {
  if (!mosq_) return;
  mosquitto_disconnect(mosq_);
  mosquitto_loop(mosq_, 100, 1);  // let DISCONNECT go out
  mosquitto_destroy(mosq_);
}

bool Broker::wait(const std::function<bool()>& done, double timeout_s, std::string* error) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    int rc = mosquitto_loop(mosq_, 100, 1);
    if (rc != MOSQ_ERR_SUCCESS || state_->disconnected) {
      state_->loop_errno = errno;
      state_->loop_rc = rc == MOSQ_ERR_SUCCESS ? MOSQ_ERR_CONN_LOST : rc;
      if (done()) return true;
      if (error) {
        *error =
            rc == MOSQ_ERR_CONN_LOST || state_->disconnected || rc == MOSQ_ERR_NO_CONN
                ? "the broker closed the connection" +
                      (state_->last_log.empty() ? std::string() : " (" + state_->last_log + ")")
                : std::string("lost the connection to the broker: ") + mosquitto_strerror(rc);
      }
      return false;
    }
  }
  return true;
}

bool Broker::subscribe(const std::vector<std::string>& topics, std::string* error,
                       double timeout_s) {
  for (const std::string& topic : topics) {
    int mid = 0;
    int rc = mosquitto_subscribe(mosq_, &mid, topic.c_str(), 1);
    if (rc != MOSQ_ERR_SUCCESS) {
      if (error) *error = "cannot subscribe to " + topic + ": " + mosquitto_strerror(rc);
      return false;
    }
    if (!wait([&] { return state_->done.count(mid) > 0; }, timeout_s, error)) {
      if (error && error->empty())
        *error = "the broker did not confirm the subscription to " + topic;
      return false;
    }
    if (!state_->granted.empty() && state_->granted[0] == 0x80) {
      if (error) *error = "the broker does not let this user read " + topic + " (its ACL)";
      return false;
    }
  }
  return true;
}

bool Broker::publish(const std::string& topic, std::string_view payload, bool retain,
                     std::string* error, double timeout_s) {
  int mid = 0;
  int rc =
      mosquitto_publish(mosq_, &mid, topic.c_str(), int(payload.size()), payload.data(), 1, retain);
  if (rc != MOSQ_ERR_SUCCESS) {
    if (error) *error = "cannot publish to " + topic + ": " + mosquitto_strerror(rc);
    return false;
  }
  if (!wait([&] { return state_->done.count(mid) > 0; }, timeout_s, error)) {
    if (error && error->empty()) {
      *error = "the broker did not confirm the message on " + topic +
               " (a broker drops what a user may not write: check its ACL)";
    }
    return false;
  }
  return true;
}

bool Broker::poll(int timeout_ms, const std::function<void(const Message&)>& on_message,
                  std::string* error) {
  int rc = mosquitto_loop(mosq_, timeout_ms, 1);
  while (!state_->inbox.empty()) {
    Message m = std::move(state_->inbox.front());
    state_->inbox.pop_front();
    on_message(m);
  }
  if (rc != MOSQ_ERR_SUCCESS || state_->disconnected) {
    if (error) *error = std::string("lost the connection to the broker: ") + mosquitto_strerror(rc);
    return false;
  }
  return true;
}

}  // namespace signage::fleet
