// Sample values the notify tests share: one alarm state change, and one
// delivery of its message as a transport receives it. Test-only, header-only.
#pragma once

#include <string>

#include "notify/alarm_message.h"
#include "notify/types.h"

namespace dbinsight::notify {

inline AlarmEvent SampleAlarm() {
  AlarmEvent e;
  e.alarm_name = "high-connections";
  e.alarm_description = "Too many client connections";
  e.instance = "pg1";
  e.old_state = "OK";
  e.new_state = "ALARM";
  e.reason =
      "Threshold Crossed: 1 out of the last 1 datapoints [85.0 (14/11/23 22:12:00)] was greater than the "
      "threshold (80.0) (minimum 1 datapoint for OK -> ALARM transition).";
  e.time = WallTime(std::chrono::milliseconds(1'700'000'000'250));
  return e;
}

inline Delivery SampleDelivery(Protocol protocol, const std::string& endpoint, WebhookFormat format) {
  Delivery d;
  d.message_id = "ecba7919-9da9-4290-b197-af90f28ecc12";
  d.subject = "ALARM: high-connections in pg1";
  d.body = "State: OK -> ALARM\n\nReason: 85 > 80 & rising <fast>";
  d.link = "http://ui:8421/#/alarms/high-connections";
  d.published = WallTime(std::chrono::milliseconds(1'700'000'000'500));
  d.topic_arn = "arn:aws:sns:us-east-1:000000000000:alerts";
  d.subscription = {d.topic_arn + ":1f2e", d.topic_arn, protocol, endpoint, format};
  return d;
}

}  // namespace dbinsight::notify
