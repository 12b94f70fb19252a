/** My unit's tasks and one task in full. */
import type { MyTasksView, TaskDetailView } from '../shared/api';
import { call } from './call';

export const fetchMyTasks = (): Promise<MyTasksView> => call('tasks.mine');
export const fetchTaskDetail = (taskId: string): Promise<TaskDetailView> => call('task.detail', { taskId });
