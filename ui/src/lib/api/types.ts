// The shapes the UI uses, all generated from the server's Rust types (see generated/),
// plus the few that are open JSON on the Rust side (a card's buttons).
export type { ActionCard } from "./generated/ActionCard";
export type { ClientFrame } from "./generated/ClientFrame";
export type { Conversation } from "./generated/Conversation";
export type { Delivered } from "./generated/Delivered";
export type { Device } from "./generated/Device";
export type { DeviceKind } from "./generated/DeviceKind";
export type { Event } from "./generated/Event";
export type { HostPolicy } from "./generated/HostPolicy";
export type { Intent } from "./generated/Intent";
export type { LanState } from "./generated/LanState";
export type { CreatedMcpClient } from "./generated/CreatedMcpClient";
export type { McpClientList } from "./generated/McpClientList";
export type { McpClientOut } from "./generated/McpClientOut";
export type { NewMcpClient } from "./generated/NewMcpClient";
export type { Memo } from "./generated/Memo";
export type { MemoPatch } from "./generated/MemoPatch";
export type { Message } from "./generated/Message";
export type { Module } from "./generated/Module";
export type { ModelCheck } from "./generated/ModelCheck";
export type { NewMemo } from "./generated/NewMemo";
export type { Page } from "./generated/Page";
export type { ParseResult } from "./generated/ParseResult";
export type { Priority } from "./generated/Priority";
export type { SearchHit } from "./generated/SearchHit";
export type { SendMessage } from "./generated/SendMessage";
export type { ServerEvent } from "./generated/ServerEvent";
export type { SettingsPatch } from "./generated/SettingsPatch";
export type { SettingsView } from "./generated/SettingsView";
export type { ShownCode } from "./generated/ShownCode";
export type { ShownCodeList } from "./generated/ShownCodeList";
export type { TaskRecord } from "./generated/TaskRecord";
export type { TaskRow } from "./generated/TaskRow";
export type { TaskStatus } from "./generated/TaskStatus";
export type { Today } from "./generated/Today";
export type { Todo } from "./generated/Todo";
export type { TodoStatus } from "./generated/TodoStatus";
export type { TokenPair } from "./generated/TokenPair";

/** One button of an action card: `{action, label, method?, path?, body?}`. */
export interface CardAction {
  action: string;
  label: string;
  method?: string;
  path?: string;
  body?: unknown;
}
